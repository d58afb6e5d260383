import { configureTinyJob, editJobJson, expect, screenshots, test } from './fixtures';

test('a quick Hyperband job on synthetic data: runs of 1 and 3 epochs on the timeline, max jobs counted at the full budget, and a recommendation', async ({ page }, testInfo) => {
  await page.goto('/');
  await configureTinyJob(page, { maxJobs: 2, parallel: 2 });
  await editJobJson(page, (job) => {
    job.strategy = 'hyperband';
    delete job.fixed.epochs;
    job.parameters.epochs = { type: 'integer', min: 1, max: 3 };
  });
  await expect(page.getByLabel('Strategy')).toHaveValue('hyperband');
  await page.getByRole('button', { name: 'Tune' }).click();
  await expect(page.getByTestId('job-status')).toHaveText('completed', { timeout: 240_000 });

  // Max jobs counts runs at the full budget (3 epochs); the 1-epoch rung comes on top. A full run
  // already under way when the second one completed finishes too, so there may be one more, which
  // the summary says in words rather than as "3 of 2".
  const counts = (await page.getByTestId('job-counts').textContent())!;
  const [, full, trials] = /^(\d+)(?: of 2 full-budget runs| full-budget runs \(max jobs 2; 1 more was already running\)); (\d+) trials/.exec(counts)!.map(Number);
  expect(full).toBeGreaterThanOrEqual(2);
  expect(full).toBeLessThanOrEqual(3);
  expect(counts.includes(' of 2 ')).toBe(full === 2);
  expect(trials).toBeGreaterThan(full);
  const timeline = page.getByRole('figure', { name: 'Timeline', exact: true });
  await expect(timeline.locator('rect.trial-bar[data-rung="1"]').first()).toBeAttached();
  await expect(timeline.locator('rect.trial-bar[data-rung="2"]')).not.toHaveCount(0);
  const rungs = new Set(await timeline.locator('rect.trial-bar').evaluateAll((bars) => bars.map((b) => b.getAttribute('data-rung'))));
  expect(rungs).toEqual(new Set(['1', '2']));
  // Each run trained its rung's epochs: the learning curves end at their rung's line.
  const curves = page.getByRole('figure', { name: 'Learning curves' });
  await expect(curves.locator('g.rung')).toHaveCount(2);
  for (const path of await curves.locator('path.curve[data-status=completed]').all()) {
    const rung = await path.getAttribute('data-rung');
    expect(await path.getAttribute('data-points')).toBe(rung === '1' ? '1' : '3');
  }
  await expect(page.getByTestId('job-epochs')).toContainText(/^\d+ epochs trained; 2 full runs alone would train 6$/);
  // The card recommends among full-budget runs: a 1-epoch run's value is not comparable with them.
  const best = page.locator('section.best-trial');
  await expect(best.getByTestId('best-objective')).toBeVisible();
  await expect(best).toContainText(/epochs\s*3/);
  await expect(best.getByRole('heading')).toHaveText(/^(Recommended|Best) trial$/);
  // Hyperband has a model, but the slice charts do not draw it: their note says so, not "no model".
  await expect(page.locator('[data-chart=objective][data-parameter=lr]')).toContainText("Hyperband's model of configuration and epochs is not drawn here");
  // With a handful of short runs the one-way ANOVA often finds nothing: then the page says so in
  // words instead of drawing 0 % bars; either way no bar is drawn at 0 beside a labelled share.
  const importance = page.locator('figure[data-chart="importance"]');
  const bars = importance.locator('rect.importance-bar');
  await expect(bars.or(importance.locator('[data-importance="none"]')).first()).toBeVisible();
  if ((await bars.count()) === 0) await expect(importance).toContainText('No hyperparameter explains any of the objective');
  else expect(Number(await bars.first().getAttribute('data-share'))).toBeGreaterThan(0);
  await screenshots(page, testInfo, 'hyperband-curves', curves);
});
