import { expect, test } from './fixtures';

test('an invalid search space is refused next to the field, and Tune waits until it is fixed', async ({ page }) => {
  await page.goto('/');
  const tune = page.getByRole('button', { name: 'Tune' });
  await expect(tune).toBeEnabled();

  // min ≥ max
  const momentumMin = page.getByLabel('momentum min');
  await momentumMin.fill('0.99');
  await expect(page.getByLabel('momentum max')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('alert').filter({ hasText: 'The maximum must be greater than the minimum (0.99).' })).toBeVisible();
  await expect(tune).toBeDisabled();
  await momentumMin.fill('0.8');
  await expect(tune).toBeEnabled();

  // A log scale with min ≤ 0
  const lrMin = page.getByLabel('lr min');
  await lrMin.fill('0');
  await expect(lrMin).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('alert').filter({ hasText: 'A log scale needs a minimum above 0.' })).toBeVisible();
  await expect(tune).toBeDisabled();
  // A non-numeric bound
  await lrMin.fill('abc');
  await expect(page.getByRole('alert').filter({ hasText: 'Enter a number.' })).toBeVisible();
  await lrMin.fill('0.001');
  await expect(tune).toBeEnabled();

  // An empty, then a duplicated categorical value
  const values = page.getByLabel('optimizer values');
  await values.fill('sgd, , nag');
  await expect(page.getByRole('alert').filter({ hasText: 'Value 2 is empty' })).toBeVisible();
  await values.fill('sgd, nag, sgd');
  await expect(page.getByRole('alert').filter({ hasText: 'The value "sgd" is listed twice.' })).toBeVisible();
  await expect(tune).toBeDisabled();
  await values.fill('sgd, nag');

  // A duplicate parameter name
  await page.getByRole('button', { name: 'Add parameter' }).click();
  await page.getByLabel('Parameter 4 name').fill('lr');
  await expect(page.getByRole('alert').filter({ hasText: 'The name "lr" is used twice.' })).toHaveCount(2);
  await expect(tune).toBeDisabled();
  await page.getByRole('button', { name: 'Remove lr' }).last().click();
  await expect(tune).toBeEnabled();

  // Max parallel jobs > max jobs
  await page.getByLabel('Max jobs').fill('2');
  await page.getByLabel('Max parallel jobs').fill('3');
  await expect(page.getByRole('alert').filter({ hasText: 'Max parallel jobs (3) cannot exceed max jobs (2).' })).toBeVisible();
  await expect(tune).toBeDisabled();
  await page.getByLabel('Max parallel jobs').fill('2');

  // A regex that does not compile, then one with no capture group
  const regex = page.getByLabel('Metric 1 regex');
  await regex.fill('Validation accuracy=([0-9.]+');
  await expect(page.getByRole('alert').filter({ hasText: 'The regex does not compile' })).toBeVisible();
  await regex.fill('Validation accuracy=[0-9.]+');
  await expect(page.getByRole('alert').filter({ hasText: 'The regex needs a capture group' })).toBeVisible();
  await expect(tune).toBeDisabled();
  await regex.fill('Validation accuracy=([0-9.]+)');

  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(tune).toBeEnabled();
});
