/**
 * Runs the engines in headless Chromium (Debian's, WebGPU on SwiftShader as the e2e tests use it):
 * bundles page-entry.ts with Vite into a temporary folder, serves it on 127.0.0.1 (WebGPU needs a
 * secure context) and opens one page per engine and backend, so each has its own tfjs.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from '@playwright/test';
import { build } from 'vite';
import { CHROMIUM_ARGS } from '../page/browser';
import type { PageApi } from './page-entry';

const ENTRY = fileURLToPath(new URL('./page-entry.ts', import.meta.url));

export interface BenchBrowser {
  openPage(): Promise<BenchPage>;
  close(): Promise<void>;
}

/** Calls into one page's `tabtuneTrainBench`. */
export interface BenchPage {
  call<K extends keyof PageApi>(method: K, ...args: Parameters<PageApi[K]>): Promise<Awaited<ReturnType<PageApi[K]>>>;
}

export async function openBenchBrowser(): Promise<BenchBrowser> {
  const dir = mkdtempSync(join(tmpdir(), 'tabtune-bench-'));
  await build({
    configFile: false,
    logLevel: 'warn',
    build: { outDir: dir, emptyOutDir: false, target: 'es2022', minify: false, lib: { entry: ENTRY, formats: ['es'], fileName: () => 'bench.js' } },
  });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>bench:train</title><script type="module" src="bench.js"></script>');
  const server: Server = createServer((request, response) => {
    const name = request.url === '/' ? 'index.html' : (request.url ?? '').slice(1);
    if (!['index.html', 'bench.js'].includes(name)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': name.endsWith('.js') ? 'text/javascript' : 'text/html' }).end(readFileSync(join(dir, name)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
  const browser: Browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  return {
    async openPage() {
      const page: Page = await browser.newPage();
      page.setDefaultTimeout(0);
      page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
      await page.goto(url);
      await page.waitForFunction(() => 'tabtuneTrainBench' in globalThis);
      return {
        call: (method, ...args) =>
          page.evaluate(
            ([m, a]) => (globalThis as unknown as { tabtuneTrainBench: Record<string, (...x: unknown[]) => unknown> }).tabtuneTrainBench[m as string](...(a as unknown[])),
            [method, args] as const,
          ) as never,
      };
    },
    async close() {
      await browser.close();
      server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
