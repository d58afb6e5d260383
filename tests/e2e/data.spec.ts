import type { Page } from '@playwright/test';
import { startCifarServer, type CifarServer } from './cifar-server';
import { configureTinyJob, expect, test, trainingField, trialRows } from './fixtures';

let host: CifarServer;
test.beforeAll(async () => {
  host = await startCifarServer();
});
test.afterAll(() => host.close());

const urls = (route: string) =>
  [`${host.origin}/${route}/train-00000-of-00001.parquet`, `${host.origin}/${route}/test-00000-of-00001.parquet`].join('\n');

async function download(page: Page, route: string) {
  await page.getByLabel(/Download from/).fill(urls(route));
  await page.getByRole('button', { name: 'Download' }).click();
}

test('downloads CIFAR-10 with progress, trains a trial on it, and after a reload trains from the cache', async ({ page }) => {
  await page.goto('/');
  const status = page.getByTestId('data-status');
  await expect(status).toContainText('CIFAR-10 is not loaded yet');
  await page.getByRole('radio', { name: 'CIFAR-10' }).check();
  await expect(page.getByText('Load CIFAR-10 in the Data panel first')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Tune' })).toBeDisabled();

  await download(page, 'ok');
  const progress = page.getByTestId('data-progress');
  await expect(progress).toContainText(/Downloading train-00000-of-00001\.parquet: [\d.]+ KB of [\d.]+ KB/);
  await expect(status).toContainText('CIFAR-10 is cached in this browser: 160 training and 40 test images', { timeout: 60_000 });
  await expect(progress).toHaveCount(0);

  await configureTinyJob(page, { maxJobs: 1, parallel: 1, batchSize: 16 });
  await (await trainingField(page, 'val_size')).fill('32');
  await page.getByRole('button', { name: 'Tune' }).click();
  await expect(page.getByTestId('job-status')).toHaveText('completed', { timeout: 120_000 });
  await expect(trialRows(page).first()).toHaveAttribute('data-status', 'completed');
  await page.locator('section.trials summary').first().click();
  await expect(page.locator('pre.log').first()).toContainText(/Epoch 1, Train loss=.*Validation accuracy=/);

  await page.reload();
  await expect(status).toContainText('CIFAR-10 is cached in this browser: 160 training and 40 test images');
  await page.getByRole('radio', { name: 'CIFAR-10' }).check();
  await configureTinyJob(page, { maxJobs: 1, parallel: 1 });
  await (await trainingField(page, 'val_size')).fill('32');
  await page.getByRole('button', { name: 'Tune' }).click();
  await expect(page.getByTestId('job-status')).toHaveText('completed', { timeout: 120_000 });
  await expect(trialRows(page).first()).toHaveAttribute('data-status', 'completed');

  await page.getByRole('button', { name: 'Clear cache' }).click();
  await expect(status).toContainText('CIFAR-10 is not loaded yet');
});

test('CIFAR-10 files chosen from disk are decoded and cached', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel(/Or choose files/).setInputFiles([
    { name: 'train-00000-of-00001.parquet', mimeType: 'application/octet-stream', buffer: Buffer.from(host.files.train) },
    { name: 'test-00000-of-00001.parquet', mimeType: 'application/octet-stream', buffer: Buffer.from(host.files.test) },
  ]);
  const status = page.getByTestId('data-status');
  await expect(status).toContainText('CIFAR-10 is cached in this browser: 160 training and 40 test images', { timeout: 60_000 });
  await expect(status).toContainText('from local files');
  await page.getByLabel(/Or choose files/).setInputFiles([{ name: 'cats.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('not cifar') }]);
  await expect(page.locator('.data-panel [role=alert]')).toContainText('cats.jpg');
  await expect(status).toContainText('160 training and 40 test images');
  await page.getByRole('button', { name: 'Clear cache' }).click();
  await expect(status).toContainText('CIFAR-10 is not loaded yet');
});

test('bad downloads are explained and never cached', async ({ page, consoleErrors }) => {
  consoleErrors.allow(/Failed to load resource: the server responded with a status of 404/);
  consoleErrors.allow(/blocked by CORS policy/);
  consoleErrors.allow(/Failed to load resource: net::ERR_(FAILED|CONTENT_LENGTH_MISMATCH|INCOMPLETE_CHUNKED_ENCODING)/);
  await page.goto('/');
  const alert = page.locator('.data-panel [role=alert]');
  await download(page, 'missing');
  await expect(alert).toContainText(/Could not download .*\/missing\/train-00000-of-00001\.parquet: the server answered 404 Not Found\./);

  await download(page, 'nocors');
  await expect(alert).toContainText(/does not allow downloads from this page \(CORS\)/);

  await download(page, 'html');
  await expect(alert).toContainText(/train-00000-of-00001\.parquet.*not a parquet file/i);

  await download(page, 'truncated');
  await expect(alert).toContainText(/train-00000-of-00001\.parquet (was cut short|broke off).*Gave up after 3 attempts/, { timeout: 60_000 });

  await expect(page.getByTestId('data-status')).toContainText('CIFAR-10 is not loaded yet');
});

test('a full storage quota gets a clear message', async ({ page }) => {
  await page.goto('/');
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(page.url()).origin, quotaSize: 10_000 });
  await download(page, 'ok');
  await expect(page.locator('.data-panel [role=alert]')).toContainText('storage quota exceeded', { timeout: 60_000 });
  await expect(page.getByTestId('data-status')).toContainText('CIFAR-10 is not loaded yet');
});
