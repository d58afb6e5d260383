import type { Page } from '@playwright/test';
import { configureTinyJob, expect, screenshots, test, trialRows } from './fixtures';

const METRIC = 'Validation-accuracy';
const PARAMETERS = ['lr', 'momentum', 'optimizer'];

const figure = (page: Page, name: string) => page.getByRole('figure', { name, exact: true });

/** The Quick demo preset (the default), 4 tiny trials of 3 epochs, 2 at a time, run to the end. */
async function runQuickDemo(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page.getByLabel('Preset')).toHaveValue('quick-demo');
  await configureTinyJob(page, { maxJobs: 4, parallel: 2, epochs: 3 });
  await page.getByRole('button', { name: 'Tune' }).click();
  await expect(page.getByTestId('job-status')).toHaveText('completed', { timeout: 180_000 });
  await expect(trialRows(page)).toHaveCount(4);
}

test('the Quick demo fills every chart, and a click selects its trial in all of them', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await runQuickDemo(page);

  // Timeline: a bar per trial in exactly 2 worker lanes, and a point per trial's objective.
  const timeline = figure(page, 'Timeline');
  await expect(timeline.locator('rect.trial-bar[data-trial]')).toHaveCount(4);
  const lanes = await timeline.locator('rect.trial-bar').evaluateAll((bars) => [...new Set(bars.map((b) => b.getAttribute('data-lane')))].sort());
  expect(lanes).toEqual(['1', '2']);
  await expect(timeline.locator('circle.objective-point[data-trial]')).toHaveCount(4);
  await expect(timeline.locator('path[data-series=best]')).toHaveAttribute('d', /^M/);

  // One figure per searched hyperparameter: a mark per trial and the GP's band and mean.
  for (const name of PARAMETERS) {
    const chart = figure(page, `${METRIC} vs ${name}`);
    await expect(chart.locator('circle.trial-point[data-trial]')).toHaveCount(4);
    await expect(chart.locator('[data-gp=band]').first()).toBeAttached();
    await expect(chart.locator('[data-gp=mean]').first()).toBeAttached();
    await expect(chart.locator('.chart-note')).toContainText(`Line and band: the GP's mean ± 1σ of the latent objective along ${name}`);
  }
  await expect(figure(page, `${METRIC} vs optimizer`).locator('.chart-note')).toContainText('± 1 standard error');

  // Learning curves: 4 lines, each with a point per epoch.
  const curves = figure(page, 'Learning curves').locator('path.curve[data-trial]');
  await expect(curves).toHaveCount(4);
  for (const points of await curves.evaluateAll((paths) => paths.map((p) => Number(p.getAttribute('data-points'))))) expect(points).toBeGreaterThanOrEqual(3);

  await expect(figure(page, 'Parallel coordinates').locator('path.trial-line[data-trial]')).toHaveCount(4);
  // Each axis's title clears its top tick label (the objective's axis often ends on a tick) by a gap one can see.
  const crowded = await figure(page, 'Parallel coordinates')
    .locator('g.parallel-axis')
    .evaluateAll((axes) =>
      axes.flatMap((axis) => {
        const title = axis.querySelector('text.axis-title')!.getBoundingClientRect();
        const top = Math.min(...[...axis.querySelectorAll('g.tick text')].map((t) => t.getBoundingClientRect().top));
        return top - title.bottom < 6 ? [`${axis.getAttribute('data-axis')}: ${(top - title.bottom).toFixed(1)} px`] : [];
      }),
    );
  expect(crowded).toEqual([]);
  await expect(figure(page, 'Importance').locator('rect.importance-bar')).toHaveCount(3);
  // Normalized to sum to 1, so the labels add up to 100 %.
  const percents = await figure(page, 'Importance').locator('g.labels text').allTextContents();
  expect(percents).toHaveLength(3);
  expect(percents.reduce((sum, label) => sum + Number(label.replace('%', '')), 0)).toBe(100);
  await expect(figure(page, 'Importance').locator('.chart-note')).toContainText("the GP's ARD lengthscales");
  // From 4 results the ranking is tentative: said in the note, and the bars drawn lighter.
  await expect(figure(page, 'Importance').getByTestId('importance-basis')).toHaveText('Based on 4 results: tentative, drawn lighter; with 3 hyperparameters, rankings settle after about 15.');
  await expect(figure(page, 'Importance').locator('rect.importance-bar.tentative')).toHaveCount(3);
  const opacity = await figure(page, 'Importance').locator('rect.importance-bar').first().evaluate((bar) => Number(getComputedStyle(bar).fillOpacity));
  expect(opacity).toBeLessThan(1);
  await expect(figure(page, 'Learning-rate schedule')).toContainText('Select a trial');

  // A click on a trial's point in the timeline highlights that trial, and only it, in every chart.
  const point = timeline.locator('circle.objective-point').first();
  const number = await point.getAttribute('data-trial');
  await point.click({ force: true });
  const charts = ['Timeline', ...PARAMETERS.map((name) => `${METRIC} vs ${name}`), 'Parallel coordinates', 'Learning curves'];
  for (const name of charts) {
    await expect(figure(page, name).locator(`[data-trial="${number}"][data-selected=true]`).first(), name).toBeAttached();
    await expect(figure(page, name).locator(`[data-selected=true]:not([data-trial="${number}"])`), name).toHaveCount(0);
  }
  // The schedule shows the selected trial's whole run: 2 steps per epoch (32 images, batch 16) for 3 epochs, all done.
  const schedule = figure(page, 'Learning-rate schedule');
  await expect(schedule).toHaveAttribute('data-trial', number!);
  await expect(schedule.locator('path[data-series=lr]')).toHaveAttribute('d', /^M/);
  await expect(schedule.locator('circle.reached-marker')).toHaveAttribute('data-step', '5');
  // The axis counts steps from 1, as the legend does: "step 6 of 6 done" is drawn on the tick 6.
  await expect(schedule.locator('.chart-legend')).toContainText('step 6 of 6 done');
  const tickBox = (await schedule.locator('g.x-axis g.tick').filter({ hasText: /^6$/ }).locator('line').boundingBox())!;
  const markerBox = (await schedule.locator('circle.reached-marker').boundingBox())!;
  expect(Math.abs(tickBox.x + tickBox.width / 2 - (markerBox.x + markerBox.width / 2))).toBeLessThan(1.5);
  // Its peak is lr scaled by batch size, and the note says so with the trial's own numbers.
  await expect(schedule.locator('.chart-note')).toContainText(/Its peak is lr [0-9.e-]+ × batch_size 16 \/ 32 \(tiny-cnn's default batch size, at which lr is stated\) = [0-9.e-]+\./);

  await screenshots(page, testInfo, 'dashboard', page.locator('section.dashboard'));
});

test('brushing an lr range in the parallel coordinates filters the trial table; clearing restores it', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await runQuickDemo(page);

  // The trials' lr as the table shows it (4 significant digits).
  const headers = await page.locator('section.trials thead th').allTextContents();
  const lrColumn = headers.indexOf('lr');
  const lrOf = async () =>
    Object.fromEntries(
      await trialRows(page).evaluateAll((rows, column) => rows.map((row) => [row.getAttribute('data-trial'), Number(row.children[column].textContent)]), lrColumn),
    ) as Record<string, number>;
  const all = await lrOf();
  expect(Object.keys(all)).toHaveLength(4);

  // Brush from the middle of the widest gap between two trials' values in lr's log scale (so that
  // no trial sits near the brush's edge) up to the top of the axis, its max.
  const sorted = Object.values(all).sort((a, b) => a - b);
  let cut = 0;
  for (let i = 1; i < sorted.length; i++) if (Math.log(sorted[i] / sorted[i - 1]) > Math.log(sorted[cut + 1] / sorted[cut])) cut = i - 1;
  const boundary = Math.sqrt(sorted[cut] * sorted[cut + 1]);
  const [min, max] = [0.003, 0.3];
  const overlay = figure(page, 'Parallel coordinates').locator('g.parallel-axis[data-axis=lr] rect.overlay');
  // The mouse moves in the viewport, and the page's height changes with the table's rows: bring
  // the axis into view and measure it again before each gesture.
  const axisBox = async () => {
    await overlay.scrollIntoViewIfNeeded();
    const box = (await overlay.boundingBox())!;
    const yOf = (value: number) => box.y + box.height * (1 - Math.log(value / min) / Math.log(max / min));
    return { x: box.x + box.width / 2, top: box.y, bottom: box.y + box.height, yOf };
  };
  // Dragged up past the axis's end, which the brush stops at: the range reaches lr's max.
  const brushAbove = async () => {
    const { x, top, yOf } = await axisBox();
    await page.mouse.move(x, yOf(boundary));
    await page.mouse.down();
    await page.mouse.move(x, top - 20, { steps: 8 });
    await page.mouse.up();
  };
  await brushAbove();

  const kept = Object.entries(all)
    .filter(([, lr]) => lr > boundary)
    .map(([n]) => n)
    .sort();
  expect(kept.length).toBeGreaterThan(0);
  expect(kept.length).toBeLessThan(4);
  await expect(trialRows(page)).toHaveCount(kept.length);
  expect(Object.keys(await lrOf()).sort()).toEqual(kept);
  // The other trials' lines stay, dimmed.
  await expect(figure(page, 'Parallel coordinates').locator('path.trial-line[data-filtered-out=true]')).toHaveCount(4 - kept.length);
  // Drawn, in another colour than the kept ones.
  const strokes = async (filter: string) =>
    figure(page, 'Parallel coordinates')
      .locator(`path.trial-line${filter}`)
      .evaluateAll((paths) => paths.map((p) => ({ stroke: getComputedStyle(p).stroke, opacity: Number(getComputedStyle(p).strokeOpacity) })));
  const keptStroke = (await strokes(':not([data-filtered-out])'))[0].stroke;
  for (const { stroke, opacity } of await strokes('[data-filtered-out=true]')) {
    expect(stroke).toMatch(/^rgb/);
    expect(stroke).not.toBe(keptStroke);
    expect(opacity).toBeGreaterThan(0);
  }
  await screenshots(page, testInfo, 'brushed', page.locator('section.dashboard'));

  // A click on the axis outside the brush clears it.
  const { x, bottom } = await axisBox();
  await page.mouse.click(x, bottom - 2);
  await expect(trialRows(page)).toHaveCount(4);
  await expect(figure(page, 'Parallel coordinates').locator('path.trial-line[data-filtered-out=true]')).toHaveCount(0);

  // So does the Clear filters button.
  await brushAbove();
  await expect(trialRows(page)).toHaveCount(kept.length);
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(trialRows(page)).toHaveCount(4);
  await expect(figure(page, 'Parallel coordinates').locator('g.parallel-axis[data-axis=lr] rect.selection')).toBeHidden();
});
