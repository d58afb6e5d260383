import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** `npm run check:accuracy` as tsx runs it. Only its command line is tested here: the check itself trains for many minutes. */
function check(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/accuracy-check.ts', ...args], { cwd: root, encoding: 'utf8', timeout: 50_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run check:accuracy (command line only)', () => {
  it('prints its usage on --help', () => {
    const { status, stdout } = check('--help');
    expect(status).toBe(0);
    for (const flag of ['--cifar DIR', '--preset small|full', '--stock-seeds', '--tolerance']) expect(stdout).toContain(flag);
  });

  it('refuses a missing folder flag, an unknown preset, a bad tolerance or seed with exit 2 and the reason', () => {
    expect(check()).toMatchObject({ status: 2, stderr: expect.stringMatching(/^check:accuracy: --cifar DIR is required/) });
    expect(check('--cifar', '/tmp', '--preset', 'huge')).toMatchObject({ status: 2, stderr: expect.stringMatching(/--preset must be small or full; got huge\./) });
    expect(check('--cifar', '/tmp', '--tolerance', '-1')).toMatchObject({ status: 2, stderr: expect.stringMatching(/--tolerance must be a number of points ≥ 0/) });
    expect(check('--cifar', '/tmp', '--stock-seeds', '2,x')).toMatchObject({ status: 2, stderr: expect.stringMatching(/--stock-seeds must be a whole number/) });
    expect(check('--cifar', '/tmp', '--model', 'vgg')).toMatchObject({ status: 2, stderr: expect.stringMatching(/model must be one of tiny-cnn, resnet9, airbench, resnet18; got vgg/) });
  });

  it('says so when the folder holds no CIFAR-10 data, before starting any GPU', () => {
    const empty = mkdtempSync(join(tmpdir(), 'tabtune-no-cifar-'));
    const { status, stderr } = check('--cifar', empty);
    expect(status).toBe(1);
    expect(stderr).toMatch(/no CIFAR-10 data found/);
  });
});
