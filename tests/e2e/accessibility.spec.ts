import AxeBuilder from '@axe-core/playwright';
import { configureTinyJob, expect, test } from './fixtures';

for (const colorScheme of ['light', 'dark'] as const) {
  test(`axe finds no violations on the page, before and after a job, in ${colorScheme}`, async ({ page }) => {
    await page.emulateMedia({ colorScheme });
    await page.goto('/');
    await expect(page.getByTestId('gpu-status')).toContainText('WebGPU');
    // Open what a user opens: the recipe, the JSON and the regex tester.
    for (const summary of ['Recipe', 'Job definition (JSON)', 'Test the regexes on log lines']) await page.locator('summary', { hasText: summary }).click();
    const before = await new AxeBuilder({ page }).analyze();
    expect(before.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);

    await configureTinyJob(page, { maxJobs: 2, parallel: 2 });
    await page.getByRole('button', { name: 'Tune' }).click();
    await expect(page.getByTestId('job-status')).toHaveText('completed', { timeout: 120_000 });
    const after = await new AxeBuilder({ page }).analyze();
    expect(after.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  });
}
