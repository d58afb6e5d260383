import type { Locator, Page } from '@playwright/test';
import { configureTinyJob, editJobJson, expect, test, trainingField, trialReason, trialRows } from './fixtures';

/** A trial's reason reads inside the table's box, not in a column scrolled out of it. */
async function expectInsideTable(page: Page, reason: Locator): Promise<void> {
  await reason.scrollIntoViewIfNeeded();
  const [box, table] = [await reason.boundingBox(), await page.locator('section.trials .table-scroll').boundingBox()];
  expect(box!.x + box!.width).toBeLessThanOrEqual(table!.x + table!.width + 1);
}

test('a trial whose log never matches the metric regex fails with that reason', async ({ page }) => {
  await page.goto('/');
  await configureTinyJob(page, { maxJobs: 1, parallel: 1 });
  await page.getByLabel('Metric 1 regex').fill('Val acc=([0-9.]+)');
  await page.getByRole('button', { name: 'Tune' }).click();
  await expect(page.getByTestId('job-status')).toHaveText('completed', { timeout: 120_000 });
  const row = trialRows(page).first();
  await expect(row).toHaveAttribute('data-status', 'failed');
  await expect(trialReason(page, 1)).toHaveText("No log line matched the objective metric's regex /Val acc=([0-9.]+)/.");
  await expectInsideTable(page, trialReason(page, 1));
  await expect(page.getByRole('figure', { name: 'Timeline', exact: true }).locator('rect.trial-bar[data-status=failed]')).toHaveCount(1);
  // The metric definitions say which regex read nothing from the finished trial's log.
  await expect(page.locator('.metrics-editor').getByText('Matched nothing in the log of trial 1.')).toBeVisible();
});

const FAULTS = [
  { fault: 'crash', what: 'a crashed worker', reason: 'The trainer worker crashed: Uncaught Error: Injected crash' },
  { fault: 'device-lost', what: 'a worker that loses its GPU device', reason: 'The GPU device was lost' },
];
for (const { fault, what, reason } of FAULTS) {
  test(`${what} is replaced, its trial is retried once and then fails, and the job goes on`, async ({ page }) => {
    await page.goto('/');
    await configureTinyJob(page, { maxJobs: 2, parallel: 1, trainSize: 48 });
    await editJobJson(page, (job) => (job.fixed.fault = fault));
    await expect(page.getByLabel('Max jobs')).toHaveValue('2');
    await page.getByRole('button', { name: 'Tune' }).click();
    await expect(page.getByTestId('job-status')).toHaveText('completed', { timeout: 120_000 });
    // Each trial's worker fails it on every attempt: a retry (attempt 2, not another trial), then failed.
    await expect(page.locator('section.trials tbody tr[data-status=failed]')).toHaveCount(2);
    for (const row of await trialRows(page).all()) {
      await expect(row.locator('.attempt')).toHaveText('attempt 2');
      const number = (await row.getAttribute('data-trial'))!;
      await expect(trialReason(page, number)).toContainText(reason);
      await expect(trialReason(page, number).locator('.earlier-attempt')).toContainText(`Attempt 1: ${reason}`);
    }
  });
}

test('a diverging trial fails with "diverged", and the job goes on', async ({ page }) => {
  await page.goto('/');
  await configureTinyJob(page, { maxJobs: 2, parallel: 1, trainSize: 64 });
  await page.getByLabel('lr min').fill('1e20');
  await page.getByLabel('lr max').fill('1e30');
  await page.getByRole('button', { name: 'Tune' }).click();
  await expect(page.getByTestId('job-status')).toHaveText('completed', { timeout: 120_000 });
  await expect(page.locator('section.trials tbody tr[data-status=failed]')).toHaveCount(2);
  for (const row of await trialRows(page).all()) {
    const reason = trialReason(page, (await row.getAttribute('data-trial'))!);
    await expect(reason).toContainText(/^diverged: the training loss became/);
    await expectInsideTable(page, reason);
  }
  // With no trial that reached a value, the charts say why they are empty instead of showing bare axes.
  await expect(page.getByRole('figure', { name: 'Timeline', exact: true }).getByTestId('chart-empty-note')).toHaveText('No finished trial has a Validation-accuracy value (2 failed).');
  await expect(page.locator('[data-chart=objective][data-parameter=lr]').getByTestId('chart-empty-note')).toHaveText('No finished trial has a Validation-accuracy value (2 failed).');
  await expect(page.locator('[data-chart=curves]').getByTestId('chart-empty-note')).toHaveText('No trial finished an epoch (2 failed).');
  await expect(page.locator('figure[data-chart="importance"]')).toContainText('No importance: the job ended with fewer than 2 completed trials.');
  // "completed" alone would read as a success: the summary says that nothing reached a value.
  await expect(page.getByTestId('job-no-result')).toHaveText(
    "No finished trial has a Validation-accuracy value (2 failed). The job found nothing to recommend; each trial's reason is in the table below.",
  );
});

test('impossible hyperparameters are refused beside their field, by the engine\'s own rules, before Tune', async ({ page }) => {
  await page.goto('/');
  await configureTinyJob(page, { maxJobs: 2, parallel: 1 });
  const tune = page.getByRole('button', { name: 'Tune' });
  await expect(tune).toBeEnabled();
  await (await trainingField(page, 'batch_size')).fill('64');
  await expect(page.getByRole('alert').filter({ hasText: 'batch_size (64) is larger than the training set (32 images).' })).toBeVisible();
  await expect(tune).toBeDisabled();
  await (await trainingField(page, 'batch_size')).fill('16');
  await page.getByLabel('momentum max').fill('1');
  await expect(page.getByRole('alert').filter({ hasText: 'momentum must be in [0, 1); got 1.' })).toBeVisible();
  await expect(tune).toBeDisabled();
  await page.getByLabel('momentum max').fill('0.95');
  await expect(tune).toBeEnabled();
});

test('a tuner worker that fails to load fails the job with that reason, and Tune works again', async ({ page, consoleErrors }) => {
  consoleErrors.allow(/SyntaxError|Unexpected token/);
  await page.route('**/tuner.worker-*.js', (route) => route.fulfill({ contentType: 'text/javascript', body: 'export const = ;' }));
  await page.goto('/');
  await configureTinyJob(page, { maxJobs: 2, parallel: 1 });
  await page.getByRole('button', { name: 'Tune' }).click();
  await expect(page.getByTestId('job-status')).toHaveText('failed');
  await expect(page.locator('.job-status .notice')).toContainText('The tuner worker could not start');
  await expect(trialRows(page)).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Tune' })).toBeEnabled();

  await page.unroute('**/tuner.worker-*.js');
  await page.getByLabel('Max jobs').fill('1');
  await page.getByRole('button', { name: 'Tune' }).click();
  await expect(page.getByTestId('job-status')).toHaveText('completed', { timeout: 120_000 });
});

test('a tuner worker that crashes mid-job fails the job at once, and Tune works again', async ({ page }) => {
  // The test hook throws out of the tuner worker at its second ask, which never answers.
  await page.goto('/?tuner-fault=crash');
  await configureTinyJob(page, { maxJobs: 3, parallel: 1 });
  await page.getByRole('button', { name: 'Tune' }).click();
  await expect(page.getByTestId('job-status')).toHaveText('failed', { timeout: 120_000 });
  await expect(page.locator('.job-status .notice')).toContainText('The tuner worker crashed: Uncaught Error: Injected tuner crash');
  await expect(trialRows(page)).toHaveCount(1);
  await expect(trialRows(page).first()).toHaveAttribute('data-status', 'completed');
  await expect(page.getByRole('button', { name: 'Tune' })).toBeEnabled();
});
