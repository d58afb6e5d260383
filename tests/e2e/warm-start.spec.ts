import { configureTinyJob, expect, test } from './fixtures';

test('a new job warm-starts from kept jobs it chooses; one with another objective is refused', async ({ page }) => {
  await page.goto('/');
  await configureTinyJob(page, { maxJobs: 2, parallel: 1 });
  await page.getByRole('button', { name: 'Tune' }).click();
  await expect(page.getByTestId('job-status')).toHaveText('completed', { timeout: 120_000 });
  // A second job that minimizes the same metric: its values read the other way round.
  await page.getByLabel('Goal').selectOption('minimize');
  await page.getByRole('button', { name: 'Tune' }).click();
  await expect(page.getByTestId('job-status')).toHaveText('completed', { timeout: 120_000 });

  // Both are kept in this browser, their end written too.
  await page.getByText('Jobs kept in this browser').click();
  await expect(page.locator('details.jobs tbody tr').filter({ hasText: 'completed' })).toHaveCount(2);

  // A fresh page: both kept jobs are offered.
  await page.goto('/');
  await configureTinyJob(page, { maxJobs: 2, parallel: 1 });
  const picker = page.locator('fieldset.warm-start-picker');
  const offered = picker.locator('label');
  await expect(offered).toHaveCount(2);
  for (const label of await offered.all()) await label.locator('input').check();
  const plan = picker.getByRole('list', { name: 'What the warm start takes' });
  await expect(plan.locator('li')).toHaveCount(2);
  await expect(plan.locator('li').filter({ hasText: /: 2 trials$/ })).toHaveCount(1);
  await expect(plan).toContainText('refused. Its objective is to minimize Validation-accuracy; this job\'s is to maximize Validation-accuracy.');
  await page.getByRole('button', { name: 'Tune' }).click();
  await expect(page.getByText('Warm-started from 2 earlier trials.')).toBeVisible();
  await expect(page.getByTestId('job-status')).toHaveText('completed', { timeout: 120_000 });
  // The GP's curves also come from those 2 trials, which the charts do not draw: each chart says so.
  await expect(page.locator('[data-chart=objective][data-parameter=lr] .chart-note')).toContainText(
    'It is also fitted to the 2 warm-start trials of earlier jobs, which are not drawn.',
  );
  const importance = page.locator('figure[data-chart="importance"]');
  await expect(importance).toHaveAttribute('data-results', '4');

  // An earlier job opened from the list shows its own model (2 trials), not the last job's (4).
  await page.getByText('Jobs kept in this browser').click();
  const kept = page.locator('details.jobs tbody tr');
  await expect(kept).toHaveCount(3);
  await kept.last().getByRole('button', { name: 'Open' }).click();
  await expect(page.locator('section.trials tbody tr[data-trial]')).toHaveCount(2);
  await expect(importance).toHaveAttribute('data-results', '2');
  await expect(page.locator('[data-chart=objective][data-parameter=lr] [data-gp=mean]').first()).toBeAttached();
  await expect(page.locator('[data-chart=objective][data-parameter=lr] .chart-note')).not.toContainText('warm-start');
});
