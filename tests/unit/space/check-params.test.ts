import { describe, expect, it } from 'vitest';
import { readTypedParams, type SearchSpace } from '../../../src/lib/space';

const space: SearchSpace = {
  lr: { type: 'continuous', min: 0.001, max: 1, scale: 'log' },
  epochs: { type: 'integer', min: 2, max: 10 },
  optimizer: { type: 'categorical', values: ['sgd', 'nag'] },
  width: { type: 'categorical', values: [0.5, 1] },
};

describe('readTypedParams', () => {
  it('reads numbers for numeric parameters and matches categorical values by their text', () => {
    expect(readTypedParams(space, { lr: ' 0.05 ', epochs: '4', optimizer: 'nag', width: '0.5' })).toEqual({ params: { lr: 0.05, epochs: 4, optimizer: 'nag', width: 0.5 }, error: null });
  });

  it('says what is wrong: a missing value, a value out of range, a non-integer, an unknown category', () => {
    const ok = { lr: '0.05', epochs: '4', optimizer: 'sgd', width: '1' };
    expect(readTypedParams(space, { ...ok, lr: '' }).error).toBe('Give a value for "lr".');
    expect(readTypedParams(space, { ...ok, lr: '2' }).error).toMatch(/out of range/);
    expect(readTypedParams(space, { ...ok, epochs: '4.5' }).error).toMatch(/integer/);
    expect(readTypedParams(space, { ...ok, lr: 'fast' }).error).toMatch(/must be a number/);
    expect(readTypedParams(space, { ...ok, optimizer: 'adam' }).error).toMatch(/must be one of/);
  });
});
