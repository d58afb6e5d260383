import { describe, expect, it } from 'vitest';
import { readFlags, UsageError } from '../../../src/cli/args';

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
