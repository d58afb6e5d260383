import { configureTinyJob, expect, expectObjectiveFromLog, test, trialRows } from './fixtures';

test('without WebGPU the page says so, names the fallback, and a trial still completes', async ({ page }) => {
  await page.goto('/');
  const status = page.getByTestId('gpu-status');
  await expect(status).toContainText('WebGPU is unavailable');
  await expect(status).toContainText(/Training falls back to (WebGL|the CPU)/);
  const fallback = (await status.textContent())!.includes('WebGL') ? 'webgl' : 'cpu';

  await configureTinyJob(page, { maxJobs: 1, parallel: 1 });
  await page.getByRole('button', { name: 'Tune' }).click();
  await expect(page.getByTestId('job-status')).toHaveText('completed', { timeout: 180_000 });
  const row = trialRows(page).first();
  await expect(row).toHaveAttribute('data-status', 'completed');
  await expect(row).toContainText(fallback);
  await expectObjectiveFromLog(row, 16);
});
