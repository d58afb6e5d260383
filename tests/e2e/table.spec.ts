import { configureTinyJob, expect, screenshots, test, trainingField, trialRows } from './fixtures';

test('the trial table sorts, filters and selects; the summary and the best trial card say what the job found', async ({ page }) => {
  await page.goto('/');
  await configureTinyJob(page, { maxJobs: 3, parallel: 1, trainSize: 320 });
  await page.getByRole('button', { name: 'Tune' }).click();
  // While a trial runs, its row shows its epoch and step.
  await expect(page.getByTestId('trial-progress').first()).toContainText(/epoch 1\/1 · step \d+\/20/);
  await expect(page.getByTestId('job-status')).toHaveText('completed', { timeout: 120_000 });
  await expect(page.getByTestId('job-counts')).toHaveText('3 of 3 trials: 3 completed');
  await expect(page.getByTestId('job-device')).toContainText('webgpu');
  await expect(page.getByTestId('job-elapsed')).toHaveText(/\d+ s/);
  for (const row of await trialRows(page).all()) {
    await expect(row.locator('td.duration')).toHaveText(/^\d+ s$/);
    await expect(row.locator('td.images-per-second')).toHaveText(/^\d+\.\d$/);
  }

  // Sorting by the objective orders the rows, highest first for a maximized metric, then flips.
  const sortByObjective = page.locator('section.trials thead').getByRole('button', { name: /Validation-accuracy/ });
  await sortByObjective.click();
  const objectives = async () => Promise.all((await trialRows(page).all()).map(async (row) => Number(await row.locator('td.objective').textContent())));
  const descending = await objectives();
  expect(descending).toEqual([...descending].sort((a, b) => b - a));
  await sortByObjective.click();
  const ascending = await objectives();
  expect(ascending).toEqual([...ascending].sort((a, b) => a - b));

  // The best trial card names the best row, and Copy as fixed puts its values in the training panel.
  const best = page.locator('section.best-trial');
  await expect(best.getByTestId('best-objective')).toHaveText(Math.max(...ascending).toFixed(4));
  const bestNumber = await best.getAttribute('data-trial');
  const bestRow = page.locator(`section.trials tbody tr[data-trial="${bestNumber}"]`);
  const lr = (await bestRow.locator('td.num').nth(1).textContent())!;
  await best.getByRole('button', { name: 'Copy as fixed' }).click();
  await expect(page.getByLabel('lr min')).toHaveCount(0);
  await expect(page.locator('.hp[data-hyperparameter=lr]')).not.toContainText('searched');
  expect(Number(await (await trainingField(page, 'lr')).inputValue())).toBeCloseTo(Number(lr), 3);
  await expect(page.getByLabel('optimizer', { exact: true })).toHaveValue(/^(sgd|nag)$/);

  // Selecting a trial marks its row; the status filter hides the others.
  await page.getByRole('button', { name: `Select trial ${bestNumber}` }).click();
  await expect(bestRow).toHaveAttribute('data-selected', 'true');
  await page.getByLabel('Show').selectOption('failed');
  await expect(trialRows(page)).toHaveCount(0);
  await page.getByLabel('Show').selectOption('all');
  await expect(trialRows(page)).toHaveCount(3);
});

test('Re-run queues the best trial again with the same hyperparameters and another seed', async ({ page }) => {
  await page.goto('/');
  await configureTinyJob(page, { maxJobs: 2, parallel: 1, trainSize: 320 });
  await page.getByRole('button', { name: 'Tune' }).click();
  const best = page.locator('section.best-trial');
  await expect(best).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('job-status')).toHaveText('running');
  const original = (await best.getAttribute('data-trial'))!;
  await best.getByRole('button', { name: 'Re-run' }).click();
  await expect(page.getByTestId('job-status')).toHaveText('completed', { timeout: 120_000 });
  await expect(trialRows(page)).toHaveCount(3);
  const rerun = page.locator('section.trials tbody tr[data-rerun-of]');
  await expect(rerun).toHaveCount(1);
  await expect(rerun).toHaveAttribute('data-rerun-of', original);
  await expect(rerun).toContainText(`re-run of ${original}`);
  const first = page.locator(`section.trials tbody tr[data-trial="${original}"]`);
  // The same hyperparameters, cell for cell, and another seed.
  const params = async (row: typeof first) => (await row.locator('td.num').allTextContents()).slice(1, 4);
  expect(await params(rerun)).toEqual(await params(first));
  expect(await rerun.getAttribute('data-seed')).not.toBe(await first.getAttribute('data-seed'));
  await expect(rerun).toHaveAttribute('data-status', 'completed');
});

test('hyperparameters typed by the user run next, ahead of new suggestions and on top of max jobs', async ({ page }, testInfo) => {
  await page.goto('/');
  await configureTinyJob(page, { maxJobs: 2, parallel: 1, trainSize: 320 });
  await page.getByRole('button', { name: 'Tune' }).click();
  await expect(trialRows(page)).toHaveCount(1, { timeout: 60_000 });
  await page.getByText('Run hyperparameters of your own next').click();
  const panel = page.locator('details.run-next');
  await panel.getByLabel('lr').fill('3');
  await expect(panel.getByText('"lr" = 3 is out of range [0.003, 0.3].')).toBeVisible();
  await expect(panel.getByRole('button', { name: 'Run next' })).toBeDisabled();
  await panel.getByLabel('lr').fill('0.0123');
  await panel.getByLabel('momentum').fill('0.85');
  await panel.getByLabel('optimizer').selectOption('sgd');
  await panel.getByRole('button', { name: 'Run next' }).click();
  await expect(panel.getByText('Queued: lr = 0.0123, momentum = 0.85, optimizer = sgd.', { exact: false })).toBeVisible();
  await expect(page.getByTestId('job-status')).toHaveText('completed', { timeout: 120_000 });
  await expect(trialRows(page)).toHaveCount(3);
  // Trial 2 is the user's: it ran before the strategy's second suggestion.
  const mine = page.locator('section.trials tbody tr[data-trial="2"]');
  expect((await mine.locator('td.num').allTextContents()).slice(1, 4)).toEqual(['0.0123', '0.85', 'sgd']);
  await expect(mine).toHaveAttribute('data-status', 'completed');
  await expect(mine).toHaveAttribute('data-added', 'true');
  await expect(mine).toContainText('added');
  // The added trial is counted apart from max jobs, as re-runs are, instead of "3 of 2 trials".
  await expect(page.getByTestId('job-counts')).toHaveText('2 of 2 trials + 1 added: 3 completed');
  await screenshots(page, testInfo, 'summary-added', page.locator('section.job-status'));
});

test('after a Bayesian job the card recommends a trial by the model; Re-run runs it on, and its runs show their mean', async ({ page }, testInfo) => {
  await page.goto('/');
  await configureTinyJob(page, { maxJobs: 2, parallel: 1 });
  await page.getByRole('button', { name: 'Tune' }).click();
  await expect(page.getByTestId('job-status')).toHaveText('completed', { timeout: 120_000 });
  await expect(page.getByTestId('job-no-result')).toHaveCount(0);
  const best = page.locator('section.best-trial');
  // Two results are enough for the tuner's model: the card states its prediction ± σ for a trial of the table.
  await expect(best.getByRole('heading', { name: 'Recommended trial' })).toBeVisible();
  await expect(best.getByTestId('recommendation')).toContainText(/the model predicts Validation-accuracy \d\.\d{4} ± \d\.\d{4}/);
  const original = (await best.getAttribute('data-trial'))!;
  await expect(best.getByTestId('recommendation')).toContainText(`Trial ${original} (seed`);
  const objectives = await Promise.all((await trialRows(page).all()).map(async (row) => Number(await row.locator('td.objective').textContent())));
  // The best observed value is named either way: beside the prediction, or on its own line when another trial is recommended.
  await expect(best.getByTestId('best-objective')).toHaveText(Math.max(...objectives).toFixed(4));
  await screenshots(page, testInfo, 'recommendation', best);
  await best.getByRole('button', { name: 'Re-run' }).click();
  await expect(page.getByText('Resumed: the tuner was told 2 finished trials.')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('job-status')).toHaveText('completed', { timeout: 120_000 });
  await expect(trialRows(page)).toHaveCount(3);
  // The re-run comes on top of max jobs, and the summary says so instead of "3 of 2 trials".
  await expect(page.getByTestId('job-counts')).toHaveText('2 of 2 trials + 1 re-run: 3 completed');
  const rerun = page.locator('section.trials tbody tr[data-trial="3"]');
  await expect(rerun).toHaveAttribute('data-rerun-of', original);
  await expect(rerun).toHaveAttribute('data-status', 'completed');
  const first = page.locator(`section.trials tbody tr[data-trial="${original}"]`);
  const params = async (row: typeof first) => (await row.locator('td.num').allTextContents()).slice(1, 4);
  expect(await params(rerun)).toEqual(await params(first));
  // The two runs of one configuration are shown together, with their mean, on both rows.
  const runs = await Promise.all([first, rerun].map(async (row) => Number(await row.locator('td.objective').textContent())));
  for (const row of [first, rerun]) await expect(row.getByTestId('runs-mean')).toHaveText(`mean of 2: ${((runs[0] + runs[1]) / 2).toFixed(4)}`);
  await expect(page.getByTestId('runs-mean')).toHaveCount(2);
  await screenshots(page, testInfo, 'card-after-rerun', best);
  await screenshots(page, testInfo, 'table-after-rerun', page.locator('section.trials'));
});
