import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configureTinyJob, expect, test } from './fixtures';

// The production build (the one playwright.config.ts's webServer builds), served the way a static host
// serves a project page (https://OWNER.github.io/REPO/): only under a sub-path, and 404 for anything else,
// with no fallback to index.html. Every request the page and its workers make must stay under it.

const BASE = '/tabtune/';
const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
};

let server: Server;
let origin: string;
/** Every path the server was asked for, by anyone, with its status. */
const served: { path: string; status: number }[] = [];

test.beforeAll(async () => {
  server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://host').pathname;
    const answer = (status: number, headers: Record<string, string> = {}) => {
      served.push({ path, status });
      return response.writeHead(status, headers);
    };
    // As static hosts do for a folder named without its slash; the relative base needs the slash.
    if (path === BASE.slice(0, -1)) return void answer(301, { Location: BASE }).end();
    if (!path.startsWith(BASE)) return void answer(404).end('Not found');
    let file = normalize(join(DIST, decodeURIComponent(path.slice(BASE.length))));
    if (file.endsWith('/')) file = join(file, 'index.html');
    if (!file.startsWith(DIST) || !existsSync(file) || !statSync(file).isFile()) return void answer(404).end('Not found');
    answer(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

test(`the build runs a job when served only under ${BASE}, and nothing it loads leaves that path`, async ({ page }) => {
  expect(existsSync(join(DIST, 'index.html')), 'a build in dist/').toBe(true);
  // The server itself: nothing at the root, nor the build's files there.
  expect((await fetch(`${origin}/`)).status).toBe(404);
  expect((await fetch(`${origin}/favicon.svg`)).status).toBe(404);
  expect((await fetch(`${origin}${BASE}favicon.svg`)).status).toBe(200);
  served.length = 0;

  const requested: string[] = [];
  page.on('request', (request) => requested.push(request.url()));
  await page.goto(`${origin}${BASE}`);
  await expect(page.getByRole('heading', { name: 'TabTune' })).toBeVisible();
  await expect(page.getByTestId('gpu-status')).toContainText(/WebGPU: \S+ swiftshader/);

  await configureTinyJob(page, { maxJobs: 2, parallel: 1 });
  await page.getByRole('button', { name: 'Tune' }).click();
  await expect(page.getByTestId('job-status')).toHaveText('completed', { timeout: 180_000 });
  await expect(page.locator('section.trials tbody tr[data-status=completed]')).toHaveCount(2);

  // The icon (a file from public/) resolves under the sub-path too, and is there.
  const icon = await page.locator('link[rel=icon]').evaluate((link) => (link as HTMLLinkElement).href);
  expect(icon).toBe(`${origin}${BASE}favicon.svg`);
  expect(await page.evaluate(async (url) => (await fetch(url)).status, icon)).toBe(200);

  // What the browser asked for: same-origin URLs only under the sub-path (data: and blob: URLs are fine).
  const sameOrigin = requested.filter((url) => !/^(data|blob):/.test(url)).map((url) => new URL(url));
  expect(sameOrigin.length).toBeGreaterThan(0);
  expect(sameOrigin.filter((url) => url.origin !== origin).map(String), 'requests to other origins').toEqual([]);
  expect(sameOrigin.filter((url) => !url.pathname.startsWith(BASE)).map(String), `requests outside ${BASE}`).toEqual([]);

  // What the server was asked for, workers' requests included: all under the sub-path, none missing.
  expect(served.filter(({ path, status }) => !path.startsWith(BASE) || status !== 200)).toEqual([]);
  const paths = served.map(({ path }) => path);
  expect(paths).toContain(BASE);
  for (const worker of ['trainer', 'tuner']) expect(paths.some((path) => new RegExp(`^${BASE}assets/${worker}\\.worker-[\\w-]+\\.js$`).test(path)), `${worker} worker script`).toBe(true);
});
