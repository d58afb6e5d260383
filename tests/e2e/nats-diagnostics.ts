import { writeFileSync } from 'node:fs';
import type { BrowserContext, Page, TestInfo } from '@playwright/test';
import type { NatsServer } from '../unit/bus/nats-server';

/**
 * What a NATS test that failed leaves behind to find out why: every tab's console with the time of
 * each line (the worker tab logs what its worker does), each open tab's text, the server's
 * consumers and connections, and its log. A hang on a trial shows there as a pull that never
 * got the spec, a delivery nobody acked, or a tab that stopped pulling.
 */
export class NatsDiagnostics {
  private readonly lines = new Map<Page, string[]>();
  private readonly started = Date.now();

  /** Follows the console of every tab `context` has and opens from now on. */
  follow(context: BrowserContext): void {
    for (const page of context.pages()) this.watch(page);
    context.on('page', (page) => this.watch(page));
  }

  private watch(page: Page): void {
    if (this.lines.has(page)) return;
    const lines: string[] = [];
    this.lines.set(page, lines);
    const at = () => `${((Date.now() - this.started) / 1000).toFixed(1).padStart(6)} s`;
    page.on('console', (message) => lines.push(`${at()} ${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => lines.push(`${at()} pageerror: ${error.message}`));
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) lines.push(`${at()} navigated to ${frame.url()}`);
    });
    page.on('close', () => lines.push(`${at()} closed`));
  }

  /**
   * Keeps everything in the test's output folder and report when it failed (or always, with
   * TABTUNE_NATS_DIAGNOSE=always, to compare with a run that passed).
   */
  async attachIfFailed(testInfo: TestInfo, server: NatsServer): Promise<void> {
    if (testInfo.status === testInfo.expectedStatus && process.env.TABTUNE_NATS_DIAGNOSE !== 'always') return;
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
