import { spawn, type ChildProcess } from 'node:child_process';
import { chromium, type Browser } from '@playwright/test';

/** Debian's Chromium with WebGPU on SwiftShader, as the e2e tests run it (see playwright.config.ts). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-webgpu-adapter=swiftshader',
];

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
