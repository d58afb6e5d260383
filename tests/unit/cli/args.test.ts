import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { readFlags, scriptOptions, UsageError, wholeNumberFlag } from '../../../src/cli/args';

const FLAGS = { lr: { type: 'string' as const }, help: { type: 'boolean' as const, short: 'h' } };

function usageKind(argv: string[]): string {
  try {
    readFlags(argv, FLAGS);
  } catch (error) {
    if (error instanceof UsageError) return `${error.kind}: ${error.message}`;
    throw error;
  }
  return 'parsed';
}

describe('readFlags', () => {
  it('reads --name value, --name=value and boolean flags, negative numbers included', () => {
    expect(readFlags(['--lr', '-0.1'], FLAGS).values).toEqual({ lr: '-0.1' });
    expect(readFlags(['--lr=-2e-3', '-h'], FLAGS).values).toEqual({ lr: '-2e-3', help: true });
    expect(readFlags(['--lr', '0.3', 'dir', '7'], FLAGS, { positionals: true })).toEqual({ values: { lr: '0.3' }, positionals: ['dir', '7'] });
  });

  it('says what is wrong with a command line', () => {
    expect(usageKind(['--learning-rate', '0.1'])).toBe('unknown: unknown option --learning-rate');
    expect(usageKind(['--lr'])).toBe('missing-value: --lr needs a value');
    expect(usageKind(['--lr='])).toBe('missing-value: --lr needs a value');
    expect(usageKind(['--lr', '--help'])).toBe('missing-value: --lr needs a value');
    expect(usageKind(['extra'])).toBe('positional: unexpected argument "extra"');
  });
});

describe('script option helpers', () => {
  it('reads whole numbers at or above a minimum and names the flag otherwise', () => {
    expect(wholeNumberFlag('runs', '3', 1)).toBe(3);
    expect(() => wholeNumberFlag('runs', '0', 1)).toThrow('--runs must be a whole number ≥ 1, got "0".');
    expect(() => wholeNumberFlag('runs', '2.5', 1)).toThrow(UsageError);
    expect(() => wholeNumberFlag('runs', 'x', 1)).toThrow(UsageError);
  });

  it('fills defaults under the given flags and hands them to the reader', () => {
    const read = (argv: string[]) => scriptOptions('s', 'usage', argv, { runs: { type: 'string' }, fast: { type: 'boolean' } }, { runs: '3' }, (v) => v);
    expect(read([])).toEqual({ runs: '3' });
    expect(read(['--runs', '5', '--fast'])).toEqual({ runs: '5', fast: true });
  });
});

describe('a bench script given a bad flag', () => {
  it('exits with status 2 and one line naming the script, then its usage', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/tuner/regret.ts', '--seeds', '0'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^bench:tuner: --seeds must be a whole number ≥ 1, got "0"\.\nUsage: bench:tuner /);
  });
});
