import { configureTinyJob, expect, test, trialRows } from './fixtures';

test('a tiny network learns the synthetic set in the browser on WebGPU, well above chance', async ({ page }) => {
  await page.goto('/');
  await configureTinyJob(page, { maxJobs: 1, parallel: 1, trainSize: 160, valSize: 100, width: 4, epochs: 3 });
  // One point: the learning rate that learns this set in the Node engine test.
  await page.getByLabel('lr min').fill('0.049');
  await page.getByLabel('lr max').fill('0.05');
  await page.getByRole('button', { name: 'Tune' }).click();
  await expect(page.getByTestId('job-status')).toHaveText('completed', { timeout: 180_000 });
  const row = trialRows(page).first();
  await expect(row).toHaveAttribute('data-status', 'completed');
  await expect(row).toContainText('webgpu');
  expect(Number(await row.locator('td.objective').textContent())).toBeGreaterThan(0.3);
});
