import { configureTinyJob, expect, test, trialRows } from './fixtures';

test('a job whose target every trial reaches ends after trial 1, and says why', async ({ page }) => {
  await page.goto('/');
  await configureTinyJob(page, { maxJobs: 6, parallel: 1 });
  await page.getByLabel('Target objective').fill('0');
  await page.getByRole('button', { name: 'Tune' }).click();
  await expect(page.getByTestId('job-status')).toHaveText('completed', { timeout: 120_000 });
  await expect(trialRows(page)).toHaveCount(1);
  await expect(trialRows(page).first()).toHaveAttribute('data-status', 'completed');
  await expect(page.locator('section.job-status p.notice').filter({ hasText: 'Target 0 reached by trial 1' })).toBeVisible();
});

test('completion criteria are checked before Tune, beside their fields', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Trials without improvement').fill('0');
  await expect(page.getByText('Trials without improvement must be a whole number ≥ 1.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Tune' })).toBeDisabled();
  await page.getByLabel('Trials without improvement').fill('3');
  await page.getByLabel('Time budget (s)').fill('-5');
  await expect(page.getByText('The time budget must be a number of seconds > 0.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Tune' })).toBeDisabled();
  await page.getByLabel('Time budget (s)').fill('');
  await expect(page.getByRole('button', { name: 'Tune' })).toBeEnabled();
});
