import { expect, test } from '@playwright/test';

test('smoke', async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect(page.getByTestId('gpu-status')).toContainText('WebGPU: ');
  console.log(await page.getByTestId('gpu-status').textContent());
  const fixed = { train_size: '32', val_size: '16', batch_size: '16', width: '2' };
  for (const [k, v] of Object.entries(fixed)) await page.getByLabel(`Fixed ${k} value`).fill(v);
  await page.getByLabel('Max jobs').fill('2');
  await page.getByLabel('Max parallel jobs').fill('2');
  const t0 = Date.now();
  await page.getByRole('button', { name: 'Tune' }).click();
  await expect(page.getByTestId('job-status')).toHaveText('completed', { timeout: 200_000 });
  console.log('job took', Date.now() - t0, 'ms');
  await page.screenshot({ path: 'test-results/smoke.png', fullPage: true });
  console.log(await page.locator('.trials').textContent());
  console.log(errors);
});
