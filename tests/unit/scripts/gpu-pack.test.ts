import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The GPU machine's bundle, built alone (no Node or Dawn packed: that takes a while) and started in
 * each mode up to the point where it would need a GPU: a broken bundle shows here, not in a device call.
 */
describe('gpu:pack bundle', () => {
  let dir: string;
  const run = (...args: string[]) => spawnSync(process.execPath, [join(dir, 'run.mjs'), ...args], { encoding: 'utf8', cwd: dir, timeout: 30_000 });

  beforeAll(() => {
    // Outside the repo, so that nothing resolves from its node_modules.
    dir = mkdtempSync(join(tmpdir(), 'gpu-pack-test-'));
    const pack = spawnSync(process.execPath, [join(root, 'scripts/gpu-pack.mjs'), '--bundle-only', '--out', dir], { encoding: 'utf8' });
    expect(pack.status, pack.stderr).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the train CLI', () => {
    const train = run('train', '--', '--help');
    expect(train.status, train.stderr).toBe(0);
    expect(train.stdout).toContain('Usage: npm run train');
  });

  it('runs bench:train and the GPU benchmark up to their flag checks', () => {
    const bench = run('bench', '--', '--models', 'vgg');
    expect(bench.status).toBe(2);
    expect(bench.stderr).toContain('unknown model vgg');
    const gpu = run('--peak-tflops', '0');
    expect(gpu.status).toBe(2);
    expect(gpu.stderr).toContain('--peak-tflops must be a number above 0');
  });

  it('names an unknown mode', () => {
    const odd = run('fly');
    expect(odd.status).toBe(2);
    expect(odd.stderr).toContain('unknown mode "fly"');
  });
});
