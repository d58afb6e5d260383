import { startCifarServer, type CifarServer } from './cifar-server';
import { expect, screenshots, test, trainingField } from './fixtures';

let host: CifarServer;
test.beforeAll(async () => {
  host = await startCifarServer();
});
test.afterAll(() => host.close());

test('the SageMaker preset fills the whole form, and Tune waits for CIFAR-10 to be loaded', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByLabel('Preset')).toHaveValue('quick-demo');
  await page.getByLabel('Preset').selectOption({ label: 'SageMaker CIFAR-10 (3m47s recipe)' });
  await expect(page.getByText('SageMaker Automatic Model Tuning demo')).toBeVisible();
  await expect(page.getByLabel('lr min')).toHaveValue('0.2');
  await expect(page.getByLabel('lr max')).toHaveValue('0.65');
  await expect(page.getByLabel('momentum min')).toHaveValue('0.87');
  await expect(page.getByLabel('momentum max')).toHaveValue('0.92');
  await expect(page.getByLabel('epochs type')).toHaveValue('integer');
  await expect(page.getByLabel('epochs min')).toHaveValue('28');
  await expect(page.getByLabel('epochs max')).toHaveValue('35');
  await expect(page.getByLabel('optimizer values')).toHaveValue('sgd, nag');
  await expect(page.getByLabel('Model', { exact: true })).toHaveValue('resnet18');
  await expect(page.getByLabel('Batch size', { exact: true })).toHaveValue('512');
  await expect(page.getByLabel('Validation size', { exact: true })).toHaveValue('5000');
  await expect(page.getByRole('radio', { name: 'CIFAR-10' })).toBeChecked();
  await expect(page.getByLabel('Max jobs')).toHaveValue('20');
  await expect(page.getByLabel('Max parallel jobs')).toHaveValue('2');
  await expect(page.getByLabel('Strategy')).toHaveValue('bayesian');
  await expect(page.getByLabel('Metric 1 regex')).toHaveValue('Validation accuracy=([0-9\\.]+)');
  await expect(page.getByLabel('Goal')).toHaveValue('maximize');
  // Epochs is searched, so the training panel hands it to the search space.
  await expect(page.locator('.hp[data-hyperparameter=epochs]')).toContainText('searched');

  const tune = page.getByRole('button', { name: 'Tune' });
  await expect(tune).toBeDisabled();
  await page.getByLabel(/Download from/).fill([`${host.origin}/ok/train-00000-of-00001.parquet`, `${host.origin}/ok/test-00000-of-00001.parquet`].join('\n'));
  await page.getByRole('button', { name: 'Download' }).click();
  await expect(page.getByTestId('data-status')).toContainText('CIFAR-10 is cached in this browser', { timeout: 60_000 });
  await expect(tune).toBeEnabled();
});

test('an unknown hyperparameter name is refused with the nearest known one, and Tune stays disabled', async ({ page }) => {
  await page.goto('/');
  const tune = page.getByRole('button', { name: 'Tune' });
  await page.getByLabel('Parameter 1 name').fill('learning_rate');
  await expect(page.getByRole('alert').filter({ hasText: '"learning_rate" is not a training hyperparameter; did you mean lr?' })).toBeVisible();
  await expect(tune).toBeDisabled();
  await page.getByLabel('Parameter 1 name').fill('lr');
  await expect(tune).toBeEnabled();
});

test('changing the model resets the recipe values it did not choose, and keeps and names the ones the user typed', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByLabel('Width', { exact: true })).toHaveValue('4');
  await (await trainingField(page, 'label_smoothing')).fill('0.1');
  await page.getByLabel('Model', { exact: true }).selectOption('resnet9');
  await expect(page.getByLabel('Width', { exact: true })).toHaveValue('1');
  await expect(page.getByLabel('Batch size', { exact: true })).toHaveValue('512');
  await expect(page.getByLabel('label_smoothing', { exact: true })).toHaveValue('0.1');
  await expect(page.getByText('Kept your label_smoothing = 0.1; everything else follows the resnet9 recipe.')).toBeVisible();
  await page.getByRole('button', { name: "Reset label_smoothing to the recipe's 0.2" }).click();
  await expect(page.getByLabel('label_smoothing', { exact: true })).toHaveValue('0.2');
  await expect(page.getByLabel('Preset')).toHaveValue('custom');
});

test('a training hyperparameter switches between fixed and searched', async ({ page }) => {
  await page.goto('/');
  await (await trainingField(page, 'weight_decay')).isVisible();
  await page.getByRole('button', { name: 'Search weight_decay' }).click();
  await expect(page.getByLabel('weight_decay min')).toHaveValue('0.0005');
  await expect(page.getByLabel('weight_decay max')).toHaveValue('0.02');
  await expect(page.locator('.hp[data-hyperparameter=weight_decay]')).toContainText('searched');
  await page.getByRole('button', { name: 'Fix weight_decay' }).click();
  await expect(page.getByLabel('weight_decay min')).toHaveCount(0);
  await expect(page.getByLabel('weight_decay', { exact: true })).toHaveValue('0');
  await expect(page.getByRole('button', { name: 'Tune' })).toBeEnabled();
});

test('the regex tester shows what each metric captures as the user types, and when nothing matched', async ({ page }) => {
  await page.goto('/');
  await page.getByText('Test the regexes on log lines').click();
  await page.getByLabel('Test log lines').fill('Epoch 3, Train loss=1.2345, Validation accuracy=0.4120, Images/s=12.5');
  await expect(page.getByTestId('capture-1')).toHaveText('0.4120');
  await page.getByRole('button', { name: 'Add metric' }).click();
  await page.getByLabel('Metric 2 name').fill('Train-loss');
  await page.getByLabel('Metric 2 regex').fill('Train loss=([0-9.]+)');
  await expect(page.getByTestId('capture-2')).toHaveText('1.2345');
  await page.getByLabel('Metric 1 regex').fill('Validaton accuracy=([0-9.]+)');
  await expect(page.getByTestId('capture-1')).toHaveText('nothing matched');
  await page.getByLabel('Metric 1 regex').fill('Validation accuracy=([0-9.]+)');
  await page.getByLabel('Train-loss is the objective').check();
  await page.getByLabel('Goal').selectOption('minimize');
  await expect(page.getByRole('button', { name: 'Tune' })).toBeEnabled();
  // Every column header of the form's tables fits its column, at the widest form and the narrowest
  // two-column layout ('Objective' once ran into 'Captured').
  for (const width of [1280, 1100]) {
    await page.setViewportSize({ width, height: 900 });
    // A fixed-layout cell does not grow with its text: measure the text against the cell's content box.
    const overflowing = await page.locator('.metrics-editor th, .space-editor th').evaluateAll((cells) =>
      cells
        .filter((th) => !th.querySelector('.visually-hidden'))
        .filter((th) => {
          const text = document.createRange();
          text.selectNodeContents(th);
          const cell = th.getBoundingClientRect();
          return text.getBoundingClientRect().right > cell.right - parseFloat(getComputedStyle(th).paddingRight) + 0.5;
        })
        .map((th) => th.textContent),
    );
    expect(overflowing, `at ${width} px`).toEqual([]);
  }
});

test('a long metric name and regex wrap in their fields, read in full, and keep the table in its box', async ({ page }, testInfo) => {
  await page.goto('/');
  const name = page.getByLabel('Metric 1 name');
  const regex = page.getByLabel('Metric 1 regex');
  const longName = 'validation:top1_accuracy_exponential_moving_average';
  const longRegex = String.raw`\[(?:valid|validation)\] epoch=\d+ .*?top1_accuracy_ema=([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)`;
  await name.fill(longName);
  // A pasted line break is taken out: the job's fields are one line.
  await regex.fill(`${longRegex}\n`);
  await expect(name).toHaveValue(longName);
  await expect(regex).toHaveValue(longRegex);
  await page.getByText('Test the regexes on log lines').click();
  await page.getByLabel('Test log lines').fill('[validation] epoch=3 loss=0.71 top1_accuracy_ema=0.8125');
  await expect(page.getByTestId('capture-1')).toHaveText('0.8125');
  const editor = page.locator('fieldset.metrics-editor');
  for (const width of [1280, 1100, 390]) {
    await page.setViewportSize({ width, height: 900 });
    // Every line of the text inside the field (nothing scrolled out of sight), more than one line
    // where the text is longer than the column, and the table no wider than its fieldset.
    for (const field of [name, regex]) {
      await expect
        .poll(() => field.evaluate((el) => {
            const style = getComputedStyle(el);
            const line = parseFloat(style.lineHeight) || 1.2 * parseFloat(style.fontSize);
            return { hidden: el.scrollHeight > el.clientHeight, wraps: el.clientHeight > 1.8 * line };
          }), { message: `at ${width} px` })
        .toEqual({ hidden: false, wraps: true });
    }
    const [table, box] = await Promise.all([editor.locator('table').boundingBox(), editor.boundingBox()]);
    expect(table!.x + table!.width, `at ${width} px`).toBeLessThanOrEqual(box!.x + box!.width);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  await screenshots(page, testInfo, 'long-metric', editor);
});

test('Validation size 0 with CIFAR-10 warns that the job tunes on the test set, and does not block Tune', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('radio', { name: 'CIFAR-10' }).check();
  const warning = page.getByTestId('val-size-warning');
  await expect(warning).toHaveCount(0);
  await page.getByLabel('Validation size', { exact: true }).fill('0');
  await expect(warning).toBeVisible();
  await expect(warning).toContainText('this job tunes on the test set');
  await expect(page.locator('.hp[data-hyperparameter=val_size]').getByRole('alert')).toHaveCount(0);
  // Only the missing data set holds Tune back; once it is loaded, Tune is enabled with the warning still shown.
  await page.getByLabel(/Download from/).fill([`${host.origin}/ok/train-00000-of-00001.parquet`, `${host.origin}/ok/test-00000-of-00001.parquet`].join('\n'));
  await page.getByRole('button', { name: 'Download' }).click();
  await expect(page.getByTestId('data-status')).toContainText('CIFAR-10 is cached in this browser', { timeout: 60_000 });
  await expect(page.getByRole('button', { name: 'Tune' })).toBeEnabled();
  await expect(warning).toBeVisible();
  await page.getByLabel('Validation size', { exact: true }).fill('1000');
  await expect(warning).toHaveCount(0);
});
