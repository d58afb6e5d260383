import type { Page } from '@playwright/test';
import { startCifarServer, type CifarServer } from './cifar-server';
import { configureTinyJob, expect, screenshots, test, trialRows } from './fixtures';

let host: CifarServer;
test.beforeAll(async () => {
  host = await startCifarServer();
});
test.afterAll(() => host.close());

/** Console errors of a page the fixtures do not follow (a second page of the context). */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

test('a job survives closing its page: the finished trials come back, and Resume runs it to max jobs', async ({ page, context }, testInfo) => {
  await page.goto('/');
  // Trials of a few seconds each, one at a time, so the page closes while the third runs.
  await configureTinyJob(page, { maxJobs: 4, parallel: 1, epochs: 2, trainSize: 480 });
  await page.getByRole('button', { name: 'Tune' }).click();
  await expect(page.getByTestId('job-saved')).toHaveText('2 finished trials saved', { timeout: 180_000 });
  await page.close();

  const reopened = await context.newPage();
  const errors = collectErrors(reopened);
  await reopened.goto('/');
  await expect(reopened.getByText(/This job was interrupted: 2 finished trials are kept/)).toBeVisible();
  await expect(trialRows(reopened)).toHaveCount(2);
  await expect(reopened.locator('section.trials tbody tr[data-status=completed]')).toHaveCount(2);
  await expect(reopened.getByTestId('job-saved')).toHaveText('2 finished trials saved');
  // The form shows the kept job's definition, not the default one.
  await expect(reopened.getByLabel('Max jobs')).toHaveValue('4');
  await expect(reopened.getByLabel('Max parallel jobs')).toHaveValue('1');

  await reopened.getByRole('button', { name: 'Resume' }).click();
  await expect(reopened.getByText(/Resumed: the tuner was told 2 finished trials/)).toBeVisible();
  await expect(reopened.getByTestId('job-status')).toHaveText('completed', { timeout: 180_000 });
  await expect(trialRows(reopened)).toHaveCount(4);
  expect(await trialRows(reopened).evaluateAll((rows) => rows.map((row) => Number(row.getAttribute('data-trial'))).sort())).toEqual([1, 2, 3, 4]);
  await expect(reopened.locator('section.trials tbody tr[data-status=completed]')).toHaveCount(4);
  await expect(reopened.getByTestId('job-saved')).toHaveText('4 finished trials saved');
  await expect(reopened.getByRole('button', { name: 'Resume' })).toHaveCount(0);
  await screenshots(reopened, testInfo, 'end');
  expect(errors, 'console errors').toEqual([]);
});

test('two tabs never run the same job: the second shows it read-only, running in the other tab', async ({ page, context }, testInfo) => {
  await page.goto('/');
  await configureTinyJob(page, { maxJobs: 2, parallel: 1, epochs: 2, trainSize: 480 });
  await page.getByRole('button', { name: 'Tune' }).click();
  await expect(page.getByTestId('job-saved')).toHaveText('0 finished trials saved');
  await expect(page.locator('section.trials tbody tr[data-status=running]')).toHaveCount(1, { timeout: 60_000 });

  const second = await context.newPage();
  const errors = collectErrors(second);
  await second.goto('/');
  await expect(second.getByTestId('job-elsewhere')).toHaveText(/^This job is running in another tab \(opened at \d\d:\d\d\)\.$/);
  await expect(second.getByRole('button', { name: 'Resume' })).toHaveCount(0);
  await expect(second.getByRole('button', { name: 'Stop', exact: true })).toBeDisabled();
  await screenshots(second, testInfo, 'second-tab');
  await second.close();
  expect(errors, 'console errors').toEqual([]);
  await expect(page.getByTestId('job-status')).toHaveText('completed', { timeout: 180_000 });
});

test('the Jobs list keeps every job: open, rename, compare two on one chart, delete', async ({ page }) => {
  await page.goto('/');
  for (const maxJobs of [2, 3]) {
    await configureTinyJob(page, { maxJobs, parallel: 1 });
    await page.getByRole('button', { name: 'Tune' }).click();
    await expect(page.getByTestId('job-status')).toHaveText('completed', { timeout: 120_000 });
  }
  const list = page.locator('details.jobs');
  await list.locator('summary').click();
  const rows = list.locator('tbody tr');
  await expect(rows).toHaveCount(2);
  await expect(rows.first()).toContainText('completed');
  await expect(rows.first()).toContainText(/tiny-cnn on synthetic, \d{4}-\d\d-\d\d \d\d:\d\d/);

  page.once('dialog', (dialog) => void dialog.accept('second job'));
  await rows.first().getByRole('button', { name: 'Rename' }).click();
  await expect(rows.first()).toContainText('second job');

  for (const row of await rows.all()) await row.getByRole('checkbox').check();
  const chart = list.getByRole('figure', { name: 'Best so far, compared' });
  await expect(chart.locator('path.best-line')).toHaveCount(2);
  await expect(chart).toContainText('second job');

  // Opening the first job shows its two trials.
  await rows.nth(1).getByRole('button', { name: 'Open' }).click();
  await expect(trialRows(page)).toHaveCount(2);

  page.once('dialog', (dialog) => void dialog.accept());
  await rows.first().getByRole('button', { name: 'Delete' }).click();
  await expect(rows).toHaveCount(1);
  await expect(list.getByText('second job')).toHaveCount(0);
});

test('a kept CIFAR-10 job waits for CIFAR-10 before it resumes', async ({ page, context }) => {
  await page.goto('/');
  await page.getByLabel(/Download from/).fill([`${host.origin}/ok/train-00000-of-00001.parquet`, `${host.origin}/ok/test-00000-of-00001.parquet`].join('\n'));
  await page.getByRole('button', { name: 'Download' }).click();
  await expect(page.getByTestId('data-status')).toContainText('CIFAR-10 is cached in this browser', { timeout: 60_000 });
  await page.getByRole('radio', { name: 'CIFAR-10' }).check();
  await configureTinyJob(page, { maxJobs: 3, parallel: 1, epochs: 2 });
  await page.getByRole('button', { name: 'Tune' }).click();
  await expect(page.getByTestId('job-saved')).toHaveText('1 finished trial saved', { timeout: 120_000 });
  await page.close();

  const reopened = await context.newPage();
  await reopened.goto('/');
  await expect(reopened.getByText(/This job was interrupted/)).toBeVisible();
  await expect(reopened.getByRole('button', { name: 'Resume' })).toBeEnabled();
  // Without its data set the job cannot go on: Resume waits for CIFAR-10 and says so.
  await reopened.getByRole('button', { name: 'Clear cache' }).click();
  await expect(reopened.getByRole('button', { name: 'Resume' })).toBeDisabled();
  await expect(reopened.getByText('Load CIFAR-10 in the Data panel to resume this job.')).toBeVisible();
  await reopened.close();
});

/**
 * Leaves the page (for about:blank) in the same task that shows the job's status as `status`:
 * the quickest a person could close the tab after seeing it.
 */
async function leaveWhenStatus(page: Page, status: string): Promise<void> {
  await page.evaluate((wanted) => {
    const observer = new MutationObserver(() => {
      if (document.querySelector('[data-testid=job-status]')?.textContent !== wanted) return;
      observer.disconnect();
      location.replace('about:blank');
    });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true });
  }, status);
}

for (const end of ['completed', 'stopped'] as const) {
  test(`a job shown as ${end} is kept as ${end}, with its last trial, though the page is left at once`, async ({ page }) => {
    await page.goto('/');
    // The stopped job's trial trains long enough (2 epochs) to be running when Stop now ends it.
    await configureTinyJob(page, end === 'completed' ? { maxJobs: 2, parallel: 1 } : { maxJobs: 2, parallel: 1, epochs: 2, trainSize: 480 });
    await leaveWhenStatus(page, end);
    await page.getByRole('button', { name: 'Tune' }).click();
    if (end === 'stopped') {
      await expect(page.getByTestId('trial-progress')).toBeVisible({ timeout: 60_000 });
      await page.getByRole('button', { name: 'Stop now' }).click();
    }
    await page.waitForURL('about:blank', { timeout: 120_000 });

    await page.goto('/');
    // Not interrupted: nothing is opened for a Resume, and the Jobs list says how it ended.
    await expect(page.getByText('Jobs kept in this browser')).toBeVisible();
    await expect(page.getByText(/This job was interrupted/)).toHaveCount(0);
    await page.getByText('Jobs kept in this browser').click();
    const row = page.locator('details.jobs tbody tr');
    await expect(row).toHaveCount(1);
    await expect(row.locator('td').nth(4)).toHaveText(end);
    await row.getByRole('button', { name: 'Open' }).click();
    const trials = end === 'completed' ? 2 : 1;
    await expect(trialRows(page)).toHaveCount(trials);
    await expect(page.locator(`section.trials tbody tr[data-status=${end}]`)).toHaveCount(trials);
  });
}
