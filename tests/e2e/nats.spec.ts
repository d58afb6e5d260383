import type { BrowserContext, Page } from '@playwright/test';
import { startNats, type NatsServer } from '../unit/bus/nats-server';
import { configureTinyJob, expect, expectObjectiveFromLog, screenshots, test, trialRows } from './fixtures';
import { NatsDiagnostics } from './nats-diagnostics';

/*
 * A job on a real nats-server (JetStream and WebSocket on free loopback ports): the tab that
 * clicks Tune coordinates, and a second tab opened from its join link trains the trials.
 */

let server: NatsServer;
test.beforeAll(async () => {
  server = await startNats();
});
test.afterAll(async () => {
  await server?.stop();
});

let diagnostics: NatsDiagnostics;
test.beforeEach(({ context, consoleErrors }) => {
  // Errors a test allows are allowed on every tab, the fixture's own page included.
  diagnostics = new NatsDiagnostics((pattern) => consoleErrors.allow(pattern));
  diagnostics.follow(context);
});
test.afterEach(async ({}, testInfo) => {
  await diagnostics.attachIfFailed(testInfo, server);
  // Every tab the test opened (worker tabs, another browser's), not only the coordinator's page.
  diagnostics.expectNoConsoleErrors();
});

/**
 * nats-server 2.9 answers a client's WebSocket close with a reserved status code, which Chromium
 * logs as a failed connection ("Received a broken close frame…", or another close error as the
 * timing goes) though the connection had done its work; the assertions below check that it did.
 */
const SERVER_CLOSE_FRAME = /^WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/' failed: /;

/** The job the take-over tests tune: enough trials, each long enough, that it is still running when its coordinator goes. */
const TAKE_OVER_TRIALS = 4;

/** Tunes a job of `TAKE_OVER_TRIALS` trials, one at a time, on the test's server from `page`, and joins a second tab of the same browser as its worker. */
async function coordinatedJob(page: Page, context: BrowserContext) {
  await page.goto('/');
  await configureTinyJob(page, { maxJobs: TAKE_OVER_TRIALS, parallel: 1, trainSize: 256 });
  await page.getByRole('textbox', { name: /^NATS server/ }).fill(server.wsUrl);
  await page.getByRole('button', { name: 'Tune' }).click();
  const joinUrl = (await page.getByTestId('join-link').textContent())!;
  const coordinateUrl = (await page.getByTestId('coordinate-link').textContent())!;
  const worker = await context.newPage();
  await worker.goto(joinUrl);
  await worker.getByRole('button', { name: 'Join as worker' }).click();
  return { worker, coordinateUrl };
}

/**
 * Waits until the coordinator has a finished trial, then checks that the job still runs, so that
 * there is something left to take over. "At least one": a wait for exactly one can miss the moment
 * when the next trial finishes quickly, and then waits out its whole timeout.
 */
async function waitForFirstResult(page: Page): Promise<void> {
  const completed = page.locator('section.trials tbody tr[data-status=completed]');
  await expect.poll(() => completed.count(), { timeout: 120_000 }).toBeGreaterThanOrEqual(1);
  expect(await page.getByTestId('job-status').textContent(), 'the job ended before its coordinator went: nothing to take over').toBe('running');
}

/** Each of the job's trials trained exactly once, as the worker's log says. */
async function expectEachTrialTrainedOnce(worker: Page): Promise<void> {
  const log = (await worker.getByTestId('join-log').textContent())!;
  for (let number = 1; number <= TAKE_OVER_TRIALS; number++) expect(log.match(new RegExp(`Training trial ${number} \\(`, 'g'))).toHaveLength(1);
  expect(log).not.toMatch(new RegExp(`Training trial ${TAKE_OVER_TRIALS + 1}`));
}

test('a tab joined by the job\'s link trains its trials; the coordinator lists the worker and reads every result', async ({ page, context }, testInfo) => {
  diagnostics.allow(SERVER_CLOSE_FRAME);
  await page.goto('/');
  await configureTinyJob(page, { maxJobs: 3, parallel: 2 });
  await page.getByRole('textbox', { name: /^NATS server/ }).fill(server.wsUrl);
  // The address goes into the share link; there is no credential to leak.
  await expect.poll(() => page.evaluate(() => location.hash)).not.toBe('');
  await page.getByRole('button', { name: 'Tune' }).click();
  await expect(page.getByText('No worker has joined yet')).toBeVisible();
  await expect(page.getByTestId('job-status')).toHaveText('running');
  const joinUrl = (await page.getByTestId('join-link').textContent())!;
  expect(joinUrl).toContain(`#join=${encodeURIComponent(server.wsUrl)}&job=`);

  const worker = await context.newPage();
  await worker.goto(joinUrl);
  await expect(worker.getByRole('heading', { name: 'TabTune worker' })).toBeVisible();
  await expect(worker.getByTestId('join-server')).toHaveText(server.wsUrl);
  await worker.getByLabel('Worker name').fill('second-tab');
  await worker.getByRole('button', { name: 'Join as worker' }).click();
  await expect(worker.getByTestId('join-status')).toHaveText('serving');

  const workers = page.getByTestId('bus-workers');
  await expect(workers).toContainText('second-tab');
  await expect(workers).toContainText('webgpu');
  await expect(page.getByTestId('job-status')).toHaveText('completed', { timeout: 180_000 });
  await expect(page.locator('section.trials tbody tr[data-status=completed]')).toHaveCount(3);
  for (const row of await trialRows(page).all()) {
    await expectObjectiveFromLog(row, 16);
    await expect(row).toContainText('webgpu');
  }
  // The timeline's lanes are the workers that ran the trials.
  await expect(page.getByRole('figure', { name: 'Timeline', exact: true }).locator('g.lane-labels')).toContainText('second-tab');
  // The job's end reaches the worker, which leaves with its count.
  await expect(worker.getByTestId('join-status')).toHaveText('left', { timeout: 30_000 });
  await expect(worker.getByTestId('join-message')).toHaveText(/has ended; 3 trials done here\.$/);
  // Joining an ended job would connect only to leave again.
  await expect(worker.getByRole('button', { name: 'Join as worker' })).toBeDisabled();
  await expect(worker.getByTestId('join-log')).toContainText('Trial 3 completed.');
  // The coordinator no longer offers links that would start nothing.
  await expect(page.getByTestId('bus-ended')).toBeVisible();
  await expect(page.getByTestId('join-link')).toHaveCount(0);
  await expect(page.getByTestId('coordinate-link')).toHaveCount(0);
  await screenshots(worker, testInfo, 'worker');
});

test('the NATS server field refuses credentials and other schemes, and an unreachable server fails the job with the reason', async ({ page }) => {
  diagnostics.allow(/WebSocket connection to .* failed/);
  await page.goto('/');
  const field = page.getByRole('textbox', { name: /^NATS server/ });
  await field.fill('wss://alice:secret@nats.example:8222');
  await expect(page.locator('#nats-error')).toContainText('Credentials never go into a job');
  await expect(page.getByRole('button', { name: 'Tune' })).toBeDisabled();
  await field.fill('nats://127.0.0.1:4222');
  await expect(page.locator('#nats-error')).toContainText('use ws:// or wss://');
  // A port nothing listens on.
  await field.fill('ws://127.0.0.1:9');
  await expect(page.getByLabel('NATS password')).toBeVisible();
  await configureTinyJob(page, { maxJobs: 1, parallel: 1 });
  await page.getByRole('button', { name: 'Tune' }).click();
  await expect(page.getByTestId('job-status')).toHaveText('failed', { timeout: 30_000 });
  await expect(page.getByRole('status').filter({ hasText: 'Could not reach the NATS server at ws://127.0.0.1:9' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Tune' })).toBeEnabled();
});

test('a coordinator tab that dies is taken over by the next tab that resumes the job: no trial runs twice', async ({ page, context }) => {
  test.setTimeout(300_000);
  diagnostics.allow(SERVER_CLOSE_FRAME);
  const { worker } = await coordinatedJob(page, context);
  await waitForFirstResult(page);

  // The coordinating tab goes away without a word: its lease lapses on the server.
  await page.close();
  const next = await context.newPage();
  await next.goto('/');
  await next.getByRole('button', { name: 'Resume' }).click();
  await expect(next.getByText(/This job is coordinated by a tab on .*, opened \d\d:\d\d\. This tab takes it over if that one goes silent/)).toBeVisible();
  await expect(next.getByTestId('job-status')).toHaveText('completed', { timeout: 180_000 });
  await expect(next.locator('section.trials tbody tr[data-status=completed]')).toHaveCount(TAKE_OVER_TRIALS);
  await expect(next.getByText(/^Resumed: the tuner was told \d finished trials?/)).toBeVisible();
  // Each trial trained once, on the worker that stayed.
  await expectEachTrialTrainedOnce(worker);
});

test('with authentication on the server: a wrong password is refused with the reason, the right one connects, and neither reaches the link', async ({ page }) => {
  diagnostics.allow(SERVER_CLOSE_FRAME);
  const guarded = await startNats({ auth: { user: 'lab', password: 's3cret-pw' } });
  try {
    await page.goto('/');
    await configureTinyJob(page, { maxJobs: 2, parallel: 2 });
    await page.getByRole('textbox', { name: /^NATS server/ }).fill(guarded.wsUrl);
    await page.getByLabel('NATS user').fill('lab');
    await page.getByLabel('NATS password').fill('wrong');
    await page.getByRole('button', { name: 'Tune' }).click();
    await expect(page.getByTestId('job-status')).toHaveText('failed', { timeout: 30_000 });
    await expect(page.getByRole('status').filter({ hasText: `The NATS server at ${guarded.wsUrl} refused the user and password` })).toBeVisible();

    await page.getByLabel('NATS password').fill('s3cret-pw');
    await page.getByRole('button', { name: 'Tune' }).click();
    // Connected and holding the job: its trials wait on the server for a worker.
    await expect(page.getByText('No worker has joined yet')).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('join-link')).not.toContainText('s3cret');
    expect(await page.evaluate(() => location.href)).not.toMatch(/s3cret|lab@/);
    // Stop ends trials no worker took, so a job without workers still stops.
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await expect(page.getByTestId('job-status')).toHaveText('stopped', { timeout: 30_000 });
    await expect(page.locator('section.trials tbody tr[data-status=stopped]')).toHaveCount(2);
    const kept = await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open('tabtune-jobs');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const jobs = await new Promise<unknown[]>((resolve) => {
        const request = db.transaction('jobs').objectStore('jobs').getAll();
        request.onsuccess = () => resolve(request.result);
      });
      return JSON.stringify(jobs);
    });
    expect(kept).toContain(guarded.wsUrl);
    expect(kept).not.toContain('s3cret');
  } finally {
    await guarded.stop();
  }
});

test('another browser opens the job by its coordinator link and takes it over when the first machine goes silent', async ({ page, context, browser }) => {
  test.setTimeout(300_000);
  diagnostics.allow(SERVER_CLOSE_FRAME);
  const { worker, coordinateUrl } = await coordinatedJob(page, context);
  expect(coordinateUrl).toContain(`#coordinate=${encodeURIComponent(server.wsUrl)}&job=`);

  // A second machine: a browser with nothing of this job in its storage. It waits while the first holds the job.
  const elsewhere = await browser.newContext();
  diagnostics.follow(elsewhere);
  const other = await elsewhere.newPage();
  await other.goto(coordinateUrl);
  await expect(other.getByText(/This job is coordinated by a tab on .*\. This tab takes it over if that one goes silent/)).toBeVisible();
  // The job's definition came from the server into the form.
  await expect(other.getByRole('textbox', { name: /^NATS server/ })).toHaveValue(server.wsUrl);
  await waitForFirstResult(page);
  await page.close();
  await expect(other.getByTestId('job-status')).toHaveText('completed', { timeout: 180_000 });
  await expect(other.locator('section.trials tbody tr[data-status=completed]')).toHaveCount(TAKE_OVER_TRIALS);
  await expectEachTrialTrainedOnce(worker);
  await elsewhere.close();
});
