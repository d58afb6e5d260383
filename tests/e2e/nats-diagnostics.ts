import { writeFileSync } from 'node:fs';
import { expect, type BrowserContext, type Page, type TestInfo } from '@playwright/test';
import type { NatsServer } from '../unit/bus/nats-server';

/**
 * What a NATS test that failed leaves behind to find out why: every tab's console with the time of
 * each line (the worker tab logs what its worker does), each open tab's text, the server's
 * consumers and connections, and its log. A hang on a trial shows there as a pull that never
 * got the spec, a delivery nobody acked, or a tab that stopped pulling.
 *
 * It also holds the console errors and uncaught errors of every tab it follows (worker tabs and
 * other browsers' tabs, which the fixture's check of the test's own page does not see), for
 * `expectNoConsoleErrors`.
 */
export class NatsDiagnostics {
  private readonly lines = new Map<Page, string[]>();
  private readonly errors = new Map<Page, string[]>();
  private readonly allowed: RegExp[] = [];
  private readonly started = Date.now();

  /** `onAllow` hears of every pattern allowed, so the test's own page can allow the same. */
  constructor(private readonly onAllow?: (pattern: RegExp) => void) {}

  /** A console error the test expects, on any tab. */
  allow(pattern: RegExp): void {
    this.allowed.push(pattern);
    this.onAllow?.(pattern);
  }

  /** Fails with every unexpected console or uncaught error of every tab followed, named by its tab. */
  expectNoConsoleErrors(): void {
    expect(this.unexpectedErrors(), 'console errors on the tabs').toEqual([]);
  }

  private unexpectedErrors(): string[] {
    return [...this.errors.values()].flatMap((errors, index) => errors.filter((e) => !this.allowed.some((p) => p.test(e))).map((e) => `tab-${index + 1}: ${e}`));
  }

  /** Follows the console of every tab `context` has and opens from now on. */
  follow(context: BrowserContext): void {
    for (const page of context.pages()) this.watch(page);
    context.on('page', (page) => this.watch(page));
  }

  private watch(page: Page): void {
    if (this.lines.has(page)) return;
    const lines: string[] = [];
    const errors: string[] = [];
    this.lines.set(page, lines);
    this.errors.set(page, errors);
    const at = () => `${((Date.now() - this.started) / 1000).toFixed(1).padStart(6)} s`;
    page.on('console', (message) => {
      lines.push(`${at()} ${message.type()}: ${message.text()}`);
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => {
      lines.push(`${at()} pageerror: ${error.message}`);
      errors.push(error.message);
    });
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) lines.push(`${at()} navigated to ${frame.url()}`);
    });
    page.on('close', () => lines.push(`${at()} closed`));
  }

  /**
   * Keeps everything in the test's output folder and report when it failed or a tab logged an
   * unexpected error (or always, with TABTUNE_NATS_DIAGNOSE=always, to compare with a run that passed).
   */
  async attachIfFailed(testInfo: TestInfo, server: NatsServer): Promise<void> {
    const failed = testInfo.status !== testInfo.expectedStatus || this.unexpectedErrors().length > 0;
    if (!failed && process.env.TABTUNE_NATS_DIAGNOSE !== 'always') return;
    let index = 0;
    for (const [page, lines] of this.lines) {
      const name = `tab-${++index}`;
      const text = page.isClosed() ? '(closed)' : await page.locator('body').innerText({ timeout: 5_000 }).catch((error: Error) => `(${error.message})`);
      await keep(testInfo, `${name}-console.txt`, lines.join('\n'));
      await keep(testInfo, `${name}-text.txt`, text);
    }
    await keep(testInfo, 'nats-state.txt', await server.state());
    await keep(testInfo, 'nats-server.log', server.log());
  }
}

/** A file in the test's output folder (test-results/<test>/), attached to its report. */
async function keep(testInfo: TestInfo, name: string, body: string): Promise<void> {
  const path = testInfo.outputPath(name);
  writeFileSync(path, body);
  await testInfo.attach(name, { path, contentType: 'text/plain' });
}
