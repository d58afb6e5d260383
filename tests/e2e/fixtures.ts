import { expect, test as base, type Locator, type Page, type TestInfo } from '@playwright/test';

export interface ConsoleErrors {
  /** Errors the browser itself logs for a failure the test provokes on purpose (a 404, a CORS refusal). */
  allow(pattern: RegExp): void;
}

/**
 * The whole page in a viewport as tall as it, so the sticky Tune bar sits where a user scrolled to
 * the end sees it, rather than over the form as in a full-page capture.
 */
async function wholePage(page: Page, path: string): Promise<void> {
  const viewport = page.viewportSize() ?? { width: 1280, height: 720 };
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: viewport.width, height: Math.max(height, viewport.height) });
  await page.screenshot({ path });
  await page.setViewportSize(viewport);
}

/**
 * The page in the light and the dark scheme, kept with the test's results (`test-results/<test>/`)
 * and attached to its report: what a person would see, to open and look at.
 */
export async function screenshots(page: Page, testInfo: TestInfo, name: string, part?: Locator): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    // Two frames for the new scheme to be painted: captured at once, layers with opacity can keep the old paint.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    const path = testInfo.outputPath(`${name}-${colorScheme}.png`);
    await (part ? part.screenshot({ path }) : wholePage(page, path));
    await testInfo.attach(`${name}-${colorScheme}`, { path, contentType: 'image/png' });
  }
}

/**
 * Every test collects console errors and uncaught page errors, and fails if any appear that it did
 * not expect; and every test that opened the page ends with its screenshots, light and dark.
 */
export const test = base.extend<{ consoleErrors: ConsoleErrors; endScreenshots: void }>({
  consoleErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      const allowed: RegExp[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(error.message));
      await use({ allow: (pattern) => allowed.push(pattern) });
      expect(errors.filter((e) => !allowed.some((p) => p.test(e))), 'console errors').toEqual([]);
    },
    { auto: true },
  ],
  endScreenshots: [
    async ({ page }, use, testInfo) => {
      await use();
      if (page.isClosed() || page.url() === 'about:blank') return;
      await screenshots(page, testInfo, 'end');
    },
    { auto: true },
  ],
});
export { expect };

export interface TinyJob {
  maxJobs: number;
  parallel: number;
  trainSize?: number;
  valSize?: number;
  batchSize?: number;
  width?: number;
  epochs?: number;
}

/** A training control: the main ones by their words, the Recipe's by their engine names (opened first). */
export async function trainingField(page: Page, name: string): Promise<Locator> {
  const main: Record<string, string> = { batch_size: 'Batch size', epochs: 'Epochs', width: 'Width', val_size: 'Validation size', model: 'Model' };
  if (main[name]) return page.getByLabel(main[name], { exact: true });
  const recipe = page.locator('details.recipe');
  if (!(await recipe.evaluate((d) => (d as HTMLDetailsElement).open))) await recipe.locator('summary').click();
  return page.getByLabel(name, { exact: true });
}

/** Fills the training panel and job settings the way a user would, with a network small enough for a software GPU. */
export async function configureTinyJob(page: Page, job: TinyJob): Promise<void> {
  const values: Record<string, number> = { val_size: job.valSize ?? 16, batch_size: job.batchSize ?? 16, width: job.width ?? 2, epochs: job.epochs ?? 1 };
  // The synthetic set's size; CIFAR-10's comes from its files.
  if (await page.getByRole('radio', { name: 'Synthetic' }).isChecked()) values.train_size = job.trainSize ?? 32;
  for (const [name, value] of Object.entries(values)) await (await trainingField(page, name)).fill(String(value));
  await page.getByLabel('Max jobs').fill(String(job.maxJobs));
  await page.getByLabel('Max parallel jobs').fill(String(job.parallel));
}

/** Edits the job definition as JSON and applies it: the way to reach test-only knobs such as `fault`. */
export async function editJobJson(page: Page, edit: (job: Record<string, any>) => void): Promise<void> {
  const details = page.locator('details.job-json');
  if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) await details.locator('summary').click();
  const box = page.getByLabel('Job definition JSON');
  await expect(box).not.toHaveValue('');
  const job = JSON.parse(await box.inputValue());
  edit(job);
  await box.fill(JSON.stringify(job, null, 2));
  await page.getByRole('button', { name: 'Apply JSON' }).click();
  await expect(details.getByRole('status')).toHaveText('Applied.');
}

export const trialRows = (page: Page) => page.locator('section.trials tbody tr[data-trial]');
/** The reason a trial failed or stopped, on the row under the trial's own (with its earlier attempts' reasons). */
export const trialReason = (page: Page, number: number | string) => page.locator(`section.trials tbody tr[data-trial-detail="${number}"] .reason`);

/**
 * A trial's objective, as its row shows it, must be the last `Validation accuracy=` value of its
 * own log, and a whole number of correct images out of `valSize`. Returns the objective.
 */
export async function expectObjectiveFromLog(row: Locator, valSize: number): Promise<number> {
  const shown = Number(await row.locator('td.objective').textContent());
  const log = (await row.locator('xpath=following-sibling::tr[1]').locator('pre.log').textContent()) ?? '';
  const values = [...log.matchAll(/Validation accuracy=([0-9.]+)/g)].map((match) => Number(match[1]));
  expect(values.length, 'validation lines in the log').toBeGreaterThan(0);
  expect(shown).toBe(values.at(-1));
  const correct = shown * valSize;
  expect(Math.abs(correct - Math.round(correct)), `${shown} × ${valSize} images`).toBeLessThan(1e-6);
  return shown;
}
