import { expect, test as base, type Locator, type Page } from '@playwright/test';

export interface ConsoleErrors {
  /** Errors the browser itself logs for a failure the test provokes on purpose (a 404, a CORS refusal). */
  allow(pattern: RegExp): void;
}

/** Every test collects console errors and uncaught page errors, and fails if any appear that it did not expect. */
export const test = base.extend<{ consoleErrors: ConsoleErrors }>({
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
});
export { expect };

export interface TinyJob {
  maxJobs: number;
  parallel: number;
  trainSize?: number;
  valSize?: number;
  batchSize?: number;
  width?: number;
}

/** Fills the form the way a user would, with a network small enough for a software GPU. */
export async function configureTinyJob(page: Page, job: TinyJob): Promise<void> {
  const fixed = { train_size: job.trainSize ?? 32, val_size: job.valSize ?? 16, batch_size: job.batchSize ?? 16, width: job.width ?? 2 };
  for (const [name, value] of Object.entries(fixed)) await page.getByLabel(`Fixed ${name} value`).fill(String(value));
  await page.getByLabel('Max jobs').fill(String(job.maxJobs));
  await page.getByLabel('Max parallel jobs').fill(String(job.parallel));
}

/** Adds a fixed hyperparameter row and fills it. */
export async function addFixed(page: Page, name: string, value: string): Promise<void> {
  await page.getByRole('button', { name: 'Add fixed hyperparameter' }).click();
  const index = await page.locator('.fixed-row').count();
  await page.getByLabel(`Fixed ${index} name`).fill(name);
  await page.getByLabel(`Fixed ${name} value`).fill(value);
}

export const trialRows = (page: Page) => page.locator('section.trials tbody tr[data-trial]');

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
