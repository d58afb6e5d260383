import { beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeParams, encodingLayout, type Params, type SearchSpace } from '../../../src/lib/space';
import { BayesianStrategy, type BayesianOptions } from '../../../src/lib/tuner/bayesian';
import { runNoisy } from './noisy-run';
import type { FeatureBox } from '../../../src/lib/tuner/trust-region';

// Every box the strategy searches and the point it drew there, to check proposals against it.
const draws = vi.hoisted(() => [] as { box: FeatureBox; x: Float64Array | null }[]);
vi.mock('../../../src/lib/tuner/trust-region', async (original) => {
  const real = await original<typeof import('../../../src/lib/tuner/trust-region')>();
  return {
    ...real,
    thompsonInBox: (...args: Parameters<typeof real.thompsonInBox>) => {
      const x = real.thompsonInBox(...args);
      draws.push({ box: args[1], x });
      return x;
    },
  };
});
// The same for the default local acquisition, EI maximized inside the box.
const eiDraws = vi.hoisted(() => [] as { box: FeatureBox; x: Float64Array | null }[]);
vi.mock('../../../src/lib/tuner/acquisition', async (original) => {
  const real = await original<typeof import('../../../src/lib/tuner/acquisition')>();
  return {
    ...real,
    maximizeAcquisition: (...args: Parameters<typeof real.maximizeAcquisition>) => {
      const x = real.maximizeAcquisition(...args);
      if (args[0].box) eiDraws.push({ box: args[0].box, x });
      return x;
    },
  };
});
const { insideBox } = await import('../../../src/lib/tuner/trust-region');

const space: SearchSpace = {
  x: { type: 'continuous', min: 0, max: 1 },
  y: { type: 'continuous', min: 0, max: 1 },
  c: { type: 'categorical', values: ['a', 'b'] },
};
const layout = encodingLayout(space);
/** A bowl with its minimum at (0.3, 0.7), 2 units deep over the square; category b 0.3 worse. */
const truth = (p: Params) => 2 * (((p.x as number) - 0.3) ** 2 + ((p.y as number) - 0.7) ** 2) + (p.c === 'b' ? 0.3 : 0);
const TRIALS = 26;

const run = (sd: number, options: Partial<BayesianOptions> = {}) => runNoisy({ space, truth, trials: TRIALS, seed: 6 }, sd, options);

describe('local search under noise (localEvery, localShare)', () => {
  beforeEach(() => {
    draws.length = 0;
    eiDraws.length = 0;
  });

  it('under noise, proposes points inside a box around the recommended configuration, in its category', () => {
    const asks = run(0.15, { localEvery: 1, localAcquisition: 'thompson' });
    expect(draws.length).toBeGreaterThan(5);
    for (const { box, x } of draws) {
      expect(x).not.toBeNull();
      expect(insideBox(box, x!)).toBe(true);
      // The proposal is what was asked, and the box is centred on the recommendation of that moment.
      const ask = asks.find((a) => encodeParams(layout, a.params).every((v, i) => Math.abs(v - x![i]) < 1e-12));
      expect(ask).toBeDefined();
      expect(insideBox(box, encodeParams(layout, ask!.recommended!))).toBe(true);
      expect(ask!.params.c).toBe(ask!.recommended!.c);
    }
  });

  it('with the default EI, proposes the box maximizer: inside the box, in the recommendation\'s category', () => {
    const asks = run(0.15, { localEvery: 1 });
    expect(draws).toHaveLength(0);
    expect(eiDraws.length).toBeGreaterThan(5);
    for (const { box, x } of eiDraws) {
      expect(x).not.toBeNull();
      expect(insideBox(box, x!)).toBe(true);
      const ask = asks.find((a) => encodeParams(layout, a.params).every((v, i) => Math.abs(v - x![i]) < 1e-12));
      expect(ask).toBeDefined();
      expect(ask!.params.c).toBe(ask!.recommended!.c);
    }
  });

  it('changes nothing on a noiseless objective, and nothing before the noise is found', () => {
    const plain = run(0);
    expect(run(0, { localEvery: 1, localAcquisition: 'thompson' })).toEqual(plain);
    expect(draws).toHaveLength(0);
    const noisyPlain = run(0.15);
    const local = run(0.15, { localEvery: 1, localAcquisition: 'thompson' });
    const first = local.findIndex((a, i) => JSON.stringify(a.params) !== JSON.stringify(noisyPlain[i].params));
    // The first local proposal follows the first re-run of a configuration (it waits for two runs that differ).
    const firstRepeat = noisyPlain.findIndex((a, i) => noisyPlain.slice(0, i).some((b) => JSON.stringify(b.params) === JSON.stringify(a.params)));
    expect(firstRepeat).toBeGreaterThan(0);
    expect(first).toBeGreaterThan(firstRepeat);
    expect(local.slice(first).map((a) => a.params)).not.toEqual(noisyPlain.slice(first).map((a) => a.params));
    // Without re-runs no two runs of a configuration exist, and nothing is local.
    draws.length = 0;
    expect(run(0.15, { localEvery: 1, reevaluateEvery: 0, localAcquisition: 'thompson' })).toEqual(run(0.15, { reevaluateEvery: 0 }));
    expect(draws).toHaveLength(0);
  });

  it('with localShare, searches locally only in that share of a known budget, before its exploitation', () => {
    const plain = run(0.15, { maxTrials: TRIALS, exploitShare: 0 });
    const local = run(0.15, { maxTrials: TRIALS, exploitShare: 0, localShare: 0.25, localAcquisition: 'thompson' });
    const start = TRIALS - Math.round(0.25 * TRIALS);
    expect(local.slice(0, start)).toEqual(plain.slice(0, start));
    // Re-evaluation keeps its turns (every third ask at most); the share's other asks are local.
    expect(draws.length).toBeGreaterThanOrEqual(Math.floor((2 * (TRIALS - start)) / 3));
    expect(draws.length).toBeLessThanOrEqual(TRIALS - start);
  });

  it('refuses a localEvery that is not a whole number, a localShare outside [0, 1] and an unknown localAcquisition', () => {
    expect(() => new BayesianStrategy({ space, goal: 'minimize', seed: 1, localEvery: 1.5 })).toThrow(/localEvery/);
    expect(() => new BayesianStrategy({ space, goal: 'minimize', seed: 1, localShare: 2 })).toThrow(/localShare/);
    expect(() => new BayesianStrategy({ space, goal: 'minimize', seed: 1, localAcquisition: 'ucb' as 'ei' })).toThrow(/localAcquisition must be 'ei' or 'thompson', got ucb/);
  });
});
