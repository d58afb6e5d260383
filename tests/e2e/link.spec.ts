import type { Page } from '@playwright/test';
import { expect, test, trainingField } from './fixtures';

/** The job definition JSON the page shows for its form. */
async function jobJson(page: Page): Promise<unknown> {
  const details = page.locator('details.job-json');
  if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) await details.locator('summary').click();
  await page.getByRole('button', { name: 'Reload from the form' }).click();
  const box = page.getByLabel('Job definition JSON');
  await expect(box).not.toHaveValue('');
  return JSON.parse(await box.inputValue());
}

/** Console errors of a page the fixture does not watch (one in another context). */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

const shareLink = (page: Page) => page.getByLabel('Share link');

test('a share link opened in a fresh browser gives the same job definition, as typed', async ({ page, browser }) => {
  await page.goto('/');
  await page.getByLabel('lr max').fill('0.5');
  await page.getByLabel('momentum min').fill('0.85');
  await (await trainingField(page, 'epochs')).fill('2');
  await (await trainingField(page, 'label_smoothing')).fill('0.05');
  await page.getByRole('button', { name: 'Add metric' }).click();
  await page.getByLabel('Metric 2 name').fill('loss');
  await page.getByLabel('Metric 2 regex').fill('Train loss=([0-9.]+)');
  await page.getByRole('radio', { name: 'loss is the objective' }).check();
  await page.getByLabel('Goal').selectOption('minimize');
  await page.getByLabel('Strategy').selectOption('random');
  await page.getByLabel('Seed').fill('42');
  await page.getByLabel('Trials without improvement').fill('4');
  // An invalid value travels as typed.
  await page.getByLabel('Time budget (s)').fill('soon');
  const job = await jobJson(page);

  const url = await shareLink(page).inputValue();
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#v1\.[A-Za-z0-9_-]+$/);
  console.log(`share link: ${url.length} characters`);

  const context = await browser.newContext();
  const other = await context.newPage();
  const errors = watchErrors(other);
  await other.goto(url);
  await expect(other.getByLabel('lr max')).toHaveValue('0.5');
  await expect(other.getByLabel('momentum min')).toHaveValue('0.85');
  await expect(other.getByLabel('Epochs', { exact: true })).toHaveValue('2');
  await expect(other.getByLabel('Metric 2 regex')).toHaveValue('Train loss=([0-9.]+)');
  await expect(other.getByRole('radio', { name: 'loss is the objective' })).toBeChecked();
  await expect(other.getByLabel('Strategy')).toHaveValue('random');
  await expect(other.getByLabel('Seed')).toHaveValue('42');
  await expect(other.getByLabel('Trials without improvement')).toHaveValue('4');
  await expect(other.getByLabel('Time budget (s)')).toHaveValue('soon');
  await expect(other.getByText('The time budget must be a number of seconds > 0.')).toBeVisible();
  await expect(other.getByRole('alert').filter({ hasText: 'link could not be read' })).toHaveCount(0);
  expect(await jobJson(other)).toEqual(job);
  // The opened page's own link is the same link.
  await expect(shareLink(other)).toHaveValue(url);
  expect(errors).toEqual([]);
  await context.close();
});

test('a malformed or cut link says what it could not read, keeps the rest, and the page works', async ({ page }) => {
  await page.goto('/#<img src=x onerror="window.hacked=1">');
  const problems = page.locator('.link-problems');
  await expect(problems).toContainText('This address does not hold a TabTune job link');
  await expect(problems).toHaveAttribute('role', 'alert');
  await expect(page.getByLabel('Preset')).toHaveValue('quick-demo');
  await expect(page.getByRole('button', { name: 'Tune' })).toBeEnabled();
  expect(await page.evaluate(() => (window as { hacked?: number }).hacked)).toBeUndefined();
  // The address now holds the form's own link.
  await expect.poll(() => page.evaluate(() => location.hash)).toMatch(/^#v1\./);

  await page.getByLabel('Seed').fill('7');
  await page.getByLabel('Strategy').selectOption('grid');
  await page.getByLabel('lr max').fill('0.25');
  await page.getByLabel('optimizer values').fill('sgd, nag, adam-ish values that make the search space long');
  const url = await shareLink(page).inputValue();
  const cut = url.slice(0, url.length - 30);

  const opened = await page.context().newPage();
  const errors = watchErrors(opened);
  await opened.goto(cut);
  await expect(opened.locator('.link-problems')).toContainText(/This link was cut short: only its strategy and seed could be read/);
  await expect(opened.getByLabel('Seed')).toHaveValue('7');
  await expect(opened.getByLabel('Strategy')).toHaveValue('grid');
  await expect(opened.getByLabel('lr max')).toHaveValue('0.3');
  await expect(opened.getByRole('button', { name: 'Tune' })).toBeEnabled();
  await opened.getByRole('button', { name: 'Dismiss' }).click();
  await expect(opened.locator('.link-problems')).toHaveCount(0);
  expect(errors).toEqual([]);
  await opened.close();

  // A link pasted into the address of an open page is read too.
  await page.getByRole('button', { name: 'Dismiss' }).click();
  await page.evaluate(() => (location.hash = '#v1.@@@'));
  await expect(problems).toContainText('This link is damaged');
  await expect(page.getByLabel('Seed')).toHaveValue('1');
});

test('the address follows the form as the user types, at most every 300 ms, without adding to the history', async ({ page }) => {
  await page.addInitScript(() => {
    const writes: number[] = [];
    (window as { hashWrites?: number[] }).hashWrites = writes;
    const replace = history.replaceState.bind(history);
    history.replaceState = (...args: Parameters<History['replaceState']>) => {
      writes.push(performance.now());
      replace(...args);
    };
  });
  await page.goto('/');
  await expect.poll(() => page.evaluate(() => location.hash)).toMatch(/^#v1\./);
  const length = await page.evaluate(() => history.length);
  const seed = page.getByLabel('Seed');
  await seed.fill('');
  await seed.pressSequentially('1234567', { delay: 60 });
  const fragment = (await shareLink(page).inputValue()).split('#')[1];
  await expect.poll(() => page.evaluate(() => location.hash), { timeout: 600 }).toBe(`#${fragment}`);
  const writes = await page.evaluate(() => (window as { hashWrites?: number[] }).hashWrites!);
  expect(writes.length).toBeGreaterThan(1);
  for (let i = 1; i < writes.length; i++) expect(writes[i] - writes[i - 1]).toBeGreaterThanOrEqual(299);
  expect(await page.evaluate(() => history.length)).toBe(length);

  // A reload reads the address back.
  await page.reload();
  await expect(page.getByLabel('Seed')).toHaveValue('1234567');
});

test('Copy link copies the link, and says so when the browser refuses', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto('/');
  await page.getByLabel('Seed').fill('5');
  await page.getByRole('button', { name: 'Copy link' }).click();
  await expect(page.locator('.share-link').getByRole('status')).toHaveText('Copied.');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await shareLink(page).inputValue());
  // A change makes the copy stale.
  await page.getByLabel('Seed').fill('6');
  await expect(page.locator('.share-link').getByRole('status')).toHaveCount(0);

  await page.evaluate(() => {
    navigator.clipboard.writeText = () => Promise.reject(new Error('Write permission denied.'));
  });
  await page.getByRole('button', { name: 'Copy link' }).click();
  await expect(page.locator('.share-link').getByRole('alert')).toHaveText('Could not copy the link (Write permission denied.); select it in the field and copy it yourself.');
});

test('a link whose metric regex backtracks without end is refused beside the field, and the page stays responsive', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Metric 1 regex').fill('(a+)+$');
  const url = await shareLink(page).inputValue();

  const opened = await page.context().newPage();
  const errors = watchErrors(opened);
  await opened.goto(url);
  await expect(opened.getByLabel('Metric 1 regex')).toHaveValue('(a+)+$');
  await expect(opened.getByRole('alert').filter({ hasText: 'Refused: on a 1 kB sample line this regex' })).toBeVisible({ timeout: 15_000 });
  await expect(opened.getByLabel('Metric 1 regex')).toHaveAttribute('aria-invalid', 'true');
  const tune = opened.getByRole('button', { name: 'Tune' });
  await expect(tune).toBeDisabled();
  // The page answers at once: a field typed into updates the link.
  const before = await shareLink(opened).inputValue();
  await opened.getByLabel('Seed').fill('9');
  await expect(shareLink(opened)).not.toHaveValue(before);
  // A regex the user types is theirs: the refusal goes with the regex it was for.
  await opened.getByLabel('Metric 1 regex').fill('Validation accuracy=([0-9\\.]+)');
  await expect(tune).toBeEnabled();
  expect(errors).toEqual([]);
  await opened.close();
});
