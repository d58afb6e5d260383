import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/lib/rng';
import { resolveScale, sampleParams, validateSpace, type SearchSpace } from '../../../src/lib/space';

const space: SearchSpace = {
  lr: { type: 'continuous', min: 1e-4, max: 1, scale: 'log' },
  mom: { type: 'continuous', min: 0.5, max: 0.999, scale: 'reverse-log' },
  wd: { type: 'continuous', min: 0, max: 0.01, scale: 'linear' },
  epochs: { type: 'integer', min: 2, max: 5 },
  batch: { type: 'integer', min: 16, max: 4096, scale: 'log' },
  opt: { type: 'categorical', values: ['sgd', 'nag', 7] },
};

function draws(n: number, seed = 3) {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => sampleParams(space, rng));
}

describe('sampleParams', () => {
  const samples = draws(4000);

  it('keeps every value in range with the right type', () => {
    for (const s of samples) {
      expect(s.lr).toBeGreaterThanOrEqual(1e-4);
      expect(s.lr).toBeLessThanOrEqual(1);
      expect(s.mom).toBeGreaterThanOrEqual(0.5);
      expect(s.mom).toBeLessThanOrEqual(0.999);
      expect(Number.isInteger(s.epochs)).toBe(true);
      expect(s.epochs).toBeGreaterThanOrEqual(2);
      expect(s.epochs).toBeLessThanOrEqual(5);
      expect(Number.isInteger(s.batch)).toBe(true);
      expect(['sgd', 'nag', 7]).toContain(s.opt);
    }
  });

  it('spreads a log scale evenly across decades', () => {
    const perDecade = [0, 0, 0, 0];
    for (const s of samples) perDecade[Math.min(3, Math.floor(-Math.log10(s.lr as number)))]++;
    for (const count of perDecade) expect(count / samples.length).toBeGreaterThan(0.2);
  });

  it('spreads a reverse-log scale evenly in log(1 - x), so values near 1 are common', () => {
    const nearOne = samples.filter((s) => (s.mom as number) > 0.99).length / samples.length;
    // log(1-x) spans log(0.5)..log(0.001); x > 0.99 is the last log(10)/log(500) ≈ 37% of it.
    expect(nearOne).toBeGreaterThan(0.3);
    expect(nearOne).toBeLessThan(0.44);
  });

  it('draws each integer and each category about equally often, ends included', () => {
    const epochCounts = new Map<unknown, number>();
    const optCounts = new Map<unknown, number>();
    for (const s of samples) {
      epochCounts.set(s.epochs, (epochCounts.get(s.epochs) ?? 0) + 1);
      optCounts.set(s.opt, (optCounts.get(s.opt) ?? 0) + 1);
    }
    expect([...epochCounts.keys()].sort()).toEqual([2, 3, 4, 5]);
    for (const count of epochCounts.values()) expect(Math.abs(count / samples.length - 0.25)).toBeLessThan(0.03);
    expect(optCounts.size).toBe(3);
    for (const count of optCounts.values()) expect(Math.abs(count / samples.length - 1 / 3)).toBeLessThan(0.03);
  });

  it('is reproducible from the seed', () => {
    expect(draws(5, 9)).toEqual(draws(5, 9));
    expect(draws(5, 9)).not.toEqual(draws(5, 10));
  });
});

describe('integers around zero', () => {
  it('never come back as -0', () => {
    const around: SearchSpace = { depth: { type: 'integer', min: -3, max: 8 } };
    const rng = createRng(5);
    for (let i = 0; i < 2000; i++) expect(Object.is(sampleParams(around, rng).depth, -0)).toBe(false);
  });
});

describe('resolveScale', () => {
  it('picks log for auto only when the range is positive and spans two decades', () => {
    expect(resolveScale({ type: 'continuous', min: 1e-3, max: 0.1 })).toBe('log');
    expect(resolveScale({ type: 'continuous', min: 1e-3, max: 0.09 })).toBe('linear');
    expect(resolveScale({ type: 'continuous', min: 0, max: 100 })).toBe('linear');
    expect(resolveScale({ type: 'continuous', min: 1e-3, max: 0.1, scale: 'linear' })).toBe('linear');
  });
});

describe('validateSpace', () => {
  const messages = (raw: unknown) => validateSpace(raw).errors.map((e) => `${e.path}: ${e.message}`);

  it('accepts a valid space', () => {
    expect(validateSpace(space).errors).toEqual([]);
  });

  it('refuses each kind of bad parameter, naming the field', () => {
    expect(messages({ a: { type: 'continuous', min: 1, max: 1 } })).toEqual([expect.stringMatching(/^parameters\.a\.max: .*greater than the minimum/)]);
    expect(messages({ a: { type: 'continuous', min: 0, max: 1, scale: 'log' } })).toEqual([expect.stringMatching(/^parameters\.a\.min: A log scale/)]);
    expect(messages({ a: { type: 'continuous', min: 'x', max: 1 } })).toEqual(['parameters.a.min: Enter a number.']);
    expect(messages({ a: { type: 'integer', min: 1.5, max: 3 } })).toEqual([expect.stringMatching(/^parameters\.a\.min: .*whole-number/)]);
    expect(messages({ a: { type: 'categorical', values: ['x', ''] } })).toEqual([expect.stringMatching(/^parameters\.a\.values: Value 2 is empty/)]);
    expect(messages({ a: { type: 'categorical', values: ['x', 'x'] } })).toEqual([expect.stringMatching(/^parameters\.a\.values: .*listed twice/)]);
    expect(messages({ a: { type: 'categorical', values: [] } })).toEqual(['parameters.a.values: List at least one value.']);
    expect(messages({ a: { type: 'ordinal' } })).toEqual([expect.stringMatching(/^parameters\.a\.type:/)]);
    expect(messages({ 'a.b': { type: 'integer', min: 1, max: 3 } })).toEqual([expect.stringMatching(/^parameters\.a\.b: Use letters/)]);
    expect(messages({})).toEqual(['parameters: Add at least one parameter to search.']);
  });
});
