import { readFileSync } from 'node:fs';
import { configureTinyJob, expect, screenshots, test, trialRows } from './fixtures';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/sagemaker/${name}`, import.meta.url));
const importBox = (page: import('@playwright/test').Page) => page.locator('fieldset.import-export');

test('a SageMaker tuning job config fills the form, and its unknown names are offered for mapping', async ({ page }, testInfo) => {
  await page.goto('/');
  await page.getByLabel('Import job file').setInputFiles({ name: 'tuning-job-config.json', mimeType: 'application/json', buffer: fixture('tuning-job-config.json') });
  const box = importBox(page);
  await expect(box.getByRole('status')).toHaveText('Filled the form from the SageMaker tuning job config.');
  // Ranges and scales, limits, strategy, early stopping, seed and completion criteria are in the form.
  await expect(page.getByLabel('lr min')).toHaveValue('0.001');
  await expect(page.getByLabel('lr max')).toHaveValue('0.1');
  await expect(page.getByLabel('lr scale')).toHaveValue('log');
  await expect(page.getByLabel('crop_pad scale')).toHaveValue('linear');
  await expect(page.getByLabel('Max jobs')).toHaveValue('20');
  await expect(page.getByLabel('Max parallel jobs')).toHaveValue('2');
  await expect(page.getByLabel('Seed')).toHaveValue('42');
  await expect(page.getByLabel('Target objective')).toHaveValue('0.95');
  await expect(page.getByLabel('Time budget (s)')).toHaveValue('3600');
  await expect(box).toContainText("no metric definition for the objective validation:accuracy");

  // mom and opt are not engine hyperparameters: each is offered with the suggestion chosen.
  await expect(page.getByLabel('mom map to')).toHaveValue('momentum');
  await expect(page.getByLabel('opt map to')).toHaveValue('optimizer');
  await expect(page.getByLabel('momentum min')).toHaveCount(0);
  await screenshots(page, testInfo, 'import-box', box);
  await box.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByLabel('momentum min')).toHaveValue('0.8');
  await expect(page.getByLabel('momentum scale')).toHaveValue('linear');
  await expect(page.getByLabel('optimizer values')).toHaveValue('sgd, nag');
  await expect(page.getByLabel('mom map to')).toHaveCount(0);
  await expect(box.getByRole('status')).toContainText('Mapped the names you chose.');
  await expect(page.getByRole('button', { name: 'Tune' })).toBeEnabled();

  // A file that is not one TabTune reads changes nothing, and says why.
  await page.getByLabel('Import job file').setInputFiles({ name: 'package.json', mimeType: 'application/json', buffer: Buffer.from('{"name": "x", "version": "1.0.0"}') });
  await expect(box.getByRole('status')).toContainText('package.json: This is not a file TabTune reads.');
  await expect(page.getByLabel('momentum min')).toHaveValue('0.8');
});

test('Export JSON, delete the job, then Import brings the same trials back to the table', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('button', { name: 'Export JSON' })).toBeDisabled();
  await configureTinyJob(page, { maxJobs: 2, parallel: 1 });
  await page.getByRole('button', { name: 'Tune' }).click();
  await expect(page.getByTestId('job-status')).toHaveText('completed', { timeout: 120_000 });
  const rows = async () =>
    Promise.all((await trialRows(page).all()).map(async (row) => [await row.getAttribute('data-trial'), await row.locator('td.objective').textContent()]));
  const before = await rows();
  expect(before).toHaveLength(2);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^tabtune-\d{4}-\d{2}-\d{2}-\d{4}\.json$/);
  const text = readFileSync(await download.path(), 'utf8');
  expect(JSON.parse(text)).toMatchObject({ format: 'tabtune-job', version: 1 });
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  expect(readFileSync(await csv.path(), 'utf8').split('\r\n')[0]).toBe('number,status,lr,momentum,optimizer,objective (Validation-accuracy),duration_s,reason');

  // Deleted from the jobs kept in this browser, and gone after a reload.
  await page.getByText('Jobs kept in this browser').click();
  const kept = page.locator('details.jobs tbody tr');
  await expect(kept).toHaveCount(1);
  page.once('dialog', (dialog) => void dialog.accept());
  await kept.getByRole('button', { name: 'Delete' }).click();
  await expect(page.locator('details.jobs')).toContainText('No job kept yet');
  await page.reload();
  await expect(trialRows(page)).toHaveCount(0);
  await page.getByLabel('Import job file').setInputFiles({ name: download.suggestedFilename(), mimeType: 'application/json', buffer: Buffer.from(text) });
  await expect(importBox(page).getByRole('status')).toContainText('Loaded the job and its 2 trials');
  expect(await rows()).toEqual(before);
  await expect(page.getByTestId('job-status')).toHaveText('completed');
  await expect(page.getByLabel('Max jobs')).toHaveValue('2');
  // Its completed trials are offered as a warm start for the next job.
  await expect(page.getByText("Warm-start from the previous job's 2 completed trials")).toBeVisible();
});

test('ListTrainingJobs pages come in as completed trials, offered as a warm start; Re-run says why it cannot run them', async ({ page }, testInfo) => {
  await page.goto('/');
  const input = page.getByLabel('Import job file');
  await input.setInputFiles({ name: 'create-tuning-job.json', mimeType: 'application/json', buffer: fixture('create-tuning-job.json') });
  const box = importBox(page);
  await expect(box.getByRole('status')).toHaveText('Filled the form from the SageMaker CreateHyperParameterTuningJob request cifar10-resnet9-tuning.');
  await expect(page.getByLabel('learning_rate map to')).toHaveValue('lr');
  await expect(page.getByLabel('wd map to')).toHaveValue('weight_decay');
  await expect(box).toContainText('StaticHyperParameters.sagemaker_program');
  await expect(box).toContainText('TrainingJobDefinition.StoppingCondition');
  await box.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByLabel('lr scale')).toHaveValue('reverse-log');

  const pages = Buffer.concat([fixture('list-training-jobs-page-1.json'), fixture('list-training-jobs-page-2.json')]);
  await input.setInputFiles({ name: 'pages.json', mimeType: 'application/json', buffer: pages });
  await expect(box.getByRole('status')).toHaveText(
    '3 completed training jobs from 2 pages are in the table and can warm-start the next job; not taken: 1 not completed (Failed), 1 not completed (InProgress), 1 not completed (Stopped), 1 no objective value.',
  );
  await expect(trialRows(page)).toHaveCount(3);
  await expect(page.getByLabel('learning_rate map to')).toHaveValue('lr');
  await box.getByRole('button', { name: 'Apply' }).click();
  await expect(trialRows(page).first().locator('td.objective')).toHaveText('0.9101');
  await expect(page.getByText("Warm-start from the previous job's 3 completed trials")).toBeVisible();
  // The imported trials get a tuner of their own for the charts (this job searched at random, so
  // Importance is the one-way ANOVA over them): it rests on those 3, not on "fewer than 2".
  const importance = page.locator('figure[data-chart="importance"]');
  await expect(importance).toHaveAttribute('data-results', '3');
  await expect(importance).toHaveAttribute('data-method', 'variance');
  // Imported trials have no job here to run in: the card says so under the disabled Re-run, without hovering.
  const card = page.locator('section.best-trial');
  await expect(card.getByRole('button', { name: 'Re-run' })).toBeDisabled();
  await expect(card.getByTestId('rerun-unavailable')).toBeVisible();
  await expect(card.getByRole('button', { name: 'Re-run' })).toHaveAccessibleDescription(/^Imported trials are only shown here: .*Copy as fixed, then Tune\.$/);
  await screenshots(page, testInfo, 'imported-card', card);
});

test('the import help lists the files it reads on the page, since the built site has no README to send the user to', async ({ page }, testInfo) => {
  await page.goto('/');
  const box = importBox(page);
  await expect(box).not.toContainText('README');
  const help = box.locator('details.import-help');
  await expect(help.getByText('aws sagemaker list-training-jobs-for-hyper-parameter-tuning-job')).toBeHidden();
  await help.getByText('Which files it reads').click();
  for (const kind of ['Export JSON', 'HyperParameterTuningJobConfig', 'CreateHyperParameterTuningJob', 'aws sagemaker describe-hyper-parameter-tuning-job', 'aws sagemaker list-training-jobs-for-hyper-parameter-tuning-job']) {
    await expect(help.getByText(kind, { exact: true })).toBeVisible();
  }
  await screenshots(page, testInfo, 'import-help', box);
});

test("an imported file's metric regex that backtracks without end is refused, and Tune waits", async ({ page }) => {
  await page.goto('/');
  const config = JSON.parse(fixture('tuning-job-config.json').toString());
  const job = { HyperParameterTuningJobConfig: config.HyperParameterTuningJobConfig ?? config, TrainingJobDefinition: { AlgorithmSpecification: { MetricDefinitions: [{ Name: 'validation:accuracy', Regex: '(a+)+$' }] } } };
  await page.getByLabel('Import job file').setInputFiles({ name: 'slow-regex.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(job)) });
  await expect(page.getByLabel('Metric 1 regex')).toHaveValue('(a+)+$');
  await expect(page.getByRole('alert').filter({ hasText: 'Refused: on a 1 kB sample line this regex' })).toBeVisible({ timeout: 15_000 });
  await expect(page.getByRole('button', { name: 'Tune' })).toBeDisabled();
});
