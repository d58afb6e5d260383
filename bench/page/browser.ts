import { spawn, type ChildProcess } from 'node:child_process';
import { chromium, type Browser } from '@playwright/test';
import { BASE_ARGS, WEBGPU_ARGS } from '../../playwright.config';

/** Debian's Chromium with WebGPU on SwiftShader, with the e2e tests' own flags. */
export const CHROMIUM_ARGS = [...BASE_ARGS, ...WEBGPU_ARGS];

/** Serves the production build (which must exist: `npm run build`) on a free port and opens Chromium. */
export async function openBuiltPage(): Promise<{ url: string; browser: Browser; close(): Promise<void> }> {
  const server: ChildProcess = spawn(process.execPath, ['scripts/serve.mjs', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    server.stdout!.on('data', (chunk: Buffer) => {
      const match = /http:\/\/\S+\//.exec(chunk.toString());
      if (match) resolve(match[0]);
    });
    server.on('exit', (code) => reject(new Error(`the page server exited with ${code} (run npm run build first)`)));
  });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  return {
    url,
    browser,
    async close() {
      await browser.close();
      server.kill();
    },
  };
}
