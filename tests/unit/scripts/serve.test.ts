import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const serve = (...args: string[]) => spawnSync(process.execPath, ['scripts/serve.mjs', ...args], { cwd: root, encoding: 'utf8', timeout: 10_000 });

describe('scripts/serve.mjs', () => {
  it('refuses an unknown flag, a bad port and a missing build with a message and a non-zero exit', () => {
    const unknown = serve('--bogus');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--bogus'");
    const port = serve('--port', 'abc');
    expect(port.status).toBe(2);
    expect(port.stderr).toContain('The port must be a whole number from 0 to 65535; got abc.');
    const missing = serve('--dir', join(tmpdir(), 'no-such-build'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('No build found');
  });

  it('serves a build folder on the port it prints', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'serve-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>served</title>');
    const child = spawn(process.execPath, ['scripts/serve.mjs', '--dir', dir, '--port', '0'], { cwd: root });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          const match = /http:\/\/\S+\//.exec(chunk.toString());
          if (match) resolve(match[0]);
        });
        child.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
      });
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('<title>served</title>');
    } finally {
      child.kill();
    }
  });
});
