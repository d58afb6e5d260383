import type { Page } from '@playwright/test';
import { configureTinyJob, editJobJson, expect, screenshots, test, type TinyJob } from './fixtures';

/** A tiny job on a fresh page, searched by Hyperband over epochs 1 to `maxEpochs` (the budget). */
async function configureHyperbandJob(page: Page, job: TinyJob, maxEpochs: number): Promise<void> {
  await page.goto('/');
  await configureTinyJob(page, job);
  await editJobJson(page, (definition) => {
    definition.strategy = 'hyperband';
    delete definition.fixed.epochs;
    definition.parameters.epochs = { type: 'integer', min: 1, max: maxEpochs };
  });
}

test('a quick Hyperband job on synthetic data: runs of 1 and 3 epochs on the timeline, max jobs counted at the full budget, a recommendation, and the model at the full budget on the slice and importance charts', async ({ page }, testInfo) => {
  await configureHyperbandJob(page, { maxJobs: 2, parallel: 2 }, 3);
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
  // The slice charts draw Hyperband's joint GP at the full budget (3 epochs); the points stay the
  // trials of both rungs, the 1-epoch runs faint.
  const lr = page.locator('[data-chart=objective][data-parameter=lr]');
  await expect(lr.locator('path.gp-mean')).toHaveCount(1);
  await expect(lr.locator('path.gp-band')).toHaveCount(1);
  await expect(lr.locator('.chart-note')).toContainText("Hyperband's GP of configuration and epochs at the full budget (3 epochs)");
  await expect(lr.locator('.chart-note')).toContainText('the shorter runs faint');
  const shortPoints = await lr.locator('circle.trial-point').evaluateAll((marks) => marks.map((m) => m.classList.contains('short-run')));
  expect(shortPoints).toContain(true);
  expect(shortPoints).toContain(false);
  // Importance from the same model's lengthscales, over the configuration: the budget has no bar.
  const importance = page.locator('figure[data-chart="importance"]');
  await expect(importance).toHaveAttribute('data-method', 'lengthscales');
  const bars = importance.locator('rect.importance-bar');
  await expect(bars.first()).toBeVisible();
  const ranked = await bars.evaluateAll((marks) => marks.map((m) => m.getAttribute('data-parameter')));
  expect(ranked.length).toBeGreaterThan(0);
  expect(ranked).not.toContain('epochs');
  await expect(importance.locator('.chart-note')).toContainText('full budget (3 epochs)');
  await expect(importance.locator('.chart-note')).toContainText('The budget (epochs) is not ranked');
  await screenshots(page, testInfo, 'hyperband-slice', lr);
  await screenshots(page, testInfo, 'hyperband-importance', importance);
  await screenshots(page, testInfo, 'hyperband-curves', curves);
});

test("Hyperband's epochs chart spans its rungs, where its model's line is: epochs 1–5 searched trains at 2 and 5", async ({ page }, testInfo) => {
  await configureHyperbandJob(page, { maxJobs: 1, parallel: 1 }, 5);
  await page.getByRole('button', { name: 'Tune' }).click();
  await expect(page.getByTestId('job-status')).toHaveText('completed', { timeout: 240_000 });
  const chart = page.locator('[data-chart=objective][data-parameter=epochs]');
  await expect(chart.locator('path.gp-mean')).toHaveCount(1);
  // The axis starts at the lowest rung, 2, not the searched 1, and the line starts at the axis's left end.
  const ticks = await chart.locator('g.x-axis g.tick text').allTextContents();
  expect(Number(ticks[0])).toBe(2);
  expect(ticks.at(-1)).toBe('5');
  const [axisLeft, lineLeft] = await chart.evaluate((figure) => {
    const left = (el: Element) => el.getBoundingClientRect().left;
    return [left(figure.querySelector('g.x-axis path.domain')!), left(figure.querySelector('path.gp-mean')!)];
  });
  expect(Math.abs(lineLeft - axisLeft)).toBeLessThan(1.5);
  await expect(chart.locator('.chart-note')).toContainText('from the lowest rung to the full budget (2–5 epochs: Hyperband trains at 2 and 5 only, and the axis spans them)');
  await screenshots(page, testInfo, 'hyperband-epochs', chart);
});
