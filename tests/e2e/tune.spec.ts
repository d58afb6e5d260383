import { configureTinyJob, expect, expectObjectiveFromLog, test, trialRows } from './fixtures';

test('the page loads without errors and names the SwiftShader adapter', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'TabTune' })).toBeVisible();
  await expect(page.getByTestId('gpu-status')).toContainText(/WebGPU: \S+ swiftshader/);
  await expect(page.getByRole('button', { name: 'Tune' })).toBeEnabled();
  // The default download URLs fit their box, one per line: none is cut by the box's edge.
  const urls = page.getByLabel(/^Download from/);
  await expect(urls).toHaveValue(/^https:\S+\nhttps:\S+$/);
  expect(await urls.evaluate((box) => box.scrollHeight <= box.clientHeight)).toBe(true);
});

test('4 jobs, 2 in parallel, all complete on the timeline; a second run is stopped mid-job', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByLabel('Strategy')).toHaveValue('bayesian');
  await configureTinyJob(page, { maxJobs: 4, parallel: 2 });
  await page.getByRole('button', { name: 'Tune' }).click();

  await expect(page.getByTestId('job-status')).toHaveText('running');
  // Never more than two trials at once, checked while it runs.
  await expect.poll(async () => page.locator('section.trials tbody tr[data-status=running]').count()).toBeGreaterThan(0);
  expect(await page.locator('section.trials tbody tr[data-status=running]').count()).toBeLessThanOrEqual(2);

  await expect(page.getByTestId('job-status')).toHaveText('completed', { timeout: 180_000 });
  await expect(trialRows(page)).toHaveCount(4);
  await expect(page.locator('section.trials tbody tr[data-status=completed]')).toHaveCount(4);
  const objectives: number[] = [];
  for (const row of await trialRows(page).all()) {
    objectives.push(await expectObjectiveFromLog(row, 16));
    await expect(row).toHaveAttribute('data-leaked-tensors', '0');
    await expect(row).toContainText('webgpu');
  }

  // The timeline plots the same objectives the table shows, a point per trial.
  const timeline = page.getByRole('figure', { name: 'Timeline', exact: true });
  const marks = timeline.locator('circle.objective-point[data-status=completed]');
  await expect(marks).toHaveCount(4);
  const plotted = await Promise.all((await marks.all()).map(async (mark) => Number(await mark.getAttribute('data-value'))));
  expect(plotted.sort()).toEqual(objectives.sort());
  // Equal objectives can overlap; the topmost mark under the pointer answers, as it would for a user.
  await marks.first().hover({ force: true });
  const tooltip = page.getByRole('tooltip');
  await expect(tooltip).toContainText(/Trial \d · completed/);
  await expect(tooltip).toContainText('lr');
  await expect(tooltip).toContainText('momentum');
  await expect(tooltip).toContainText(/optimizer\s*(sgd|nag)/);

  // Second run: warm-started from the first, with longer trials, stopped once two are under way.
  await configureTinyJob(page, { maxJobs: 6, parallel: 2, trainSize: 320 });
  await page.getByLabel("Warm-start from the previous job's 4 completed trials").check();
  await page.getByRole('button', { name: 'Tune' }).click();
  await expect(page.locator('section.trials tbody tr[data-status=running]')).toHaveCount(2, { timeout: 60_000 });
  await expect(page.getByText('Warm-started from 4 earlier trials.')).toBeVisible();
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(page.getByTestId('job-status')).toHaveText('stopped', { timeout: 120_000 });
  await expect(page.locator('section.trials tbody tr[data-status=running]')).toHaveCount(0);
  await expect(page.locator('section.trials tbody tr[data-status=pending]')).toHaveCount(0);
  const stopped = await page.locator('section.trials tbody tr[data-status=stopped]').count();
  const completed = await page.locator('section.trials tbody tr[data-status=completed]').count();
  expect(stopped).toBeGreaterThanOrEqual(1);
  expect(stopped + completed).toBe(await trialRows(page).count());
  expect(await trialRows(page).count()).toBeLessThan(6);
  // Each stopped trial ran for a while: its bar is on the timeline.
  await expect(timeline.locator('rect.trial-bar[data-status=stopped]')).toHaveCount(stopped);
  await expect(page.getByRole('button', { name: 'Tune' })).toBeEnabled();
});
