import { beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeParams, encodingLayout, type Params, type SearchSpace } from '../../../src/lib/space';
import { BayesianStrategy, type BayesianOptions } from '../../../src/lib/tuner/bayesian';
import { runNoisy, type RecordedAsk } from './noisy-run';
import type { FeatureBox } from '../../../src/lib/tuner/trust-region';

// Every box the strategy searches and the point it drew there, to check proposals against it:
// Thompson draws (`thompsonInBox`) and the default EI maximized inside the box.
type Draw = { box: FeatureBox; x: Float64Array | null };
const { draws, eiDraws, recording } = vi.hoisted(() => ({
  draws: [] as Draw[],
  eiDraws: [] as Draw[],
  /** `search`, keeping in `into` each box it was given (where `boxOf` finds one) with its answer. */
  recording:
    <A extends unknown[]>(search: (...args: A) => Float64Array | null, boxOf: (...args: A) => FeatureBox | undefined, into: Draw[]) =>
    (...args: A) => {
      const x = search(...args);
      const box = boxOf(...args);
      if (box) into.push({ box, x });
      return x;
    },
}));
vi.mock('../../../src/lib/tuner/trust-region', async (original) => {
  const real = await original<typeof import('../../../src/lib/tuner/trust-region')>();
  return { ...real, thompsonInBox: recording(real.thompsonInBox, (_layout, box) => box, draws) };
});
vi.mock('../../../src/lib/tuner/acquisition', async (original) => {
  const real = await original<typeof import('../../../src/lib/tuner/acquisition')>();
  return { ...real, maximizeAcquisition: recording(real.maximizeAcquisition, (options) => options.box, eiDraws) };
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

  /** Each recorded draw is inside its box, was asked, and its box holds the recommendation of that moment, whose category it keeps. */
  function expectLocalProposals(asks: RecordedAsk[], recorded: Draw[]): void {
    expect(recorded.length).toBeGreaterThan(5);
    for (const { box, x } of recorded) {
      expect(x).not.toBeNull();
      expect(insideBox(box, x!)).toBe(true);
      const ask = asks.find((a) => encodeParams(layout, a.params).every((v, i) => Math.abs(v - x![i]) < 1e-12));
      expect(ask).toBeDefined();
      expect(insideBox(box, encodeParams(layout, ask!.recommended!))).toBe(true);
      expect(ask!.params.c).toBe(ask!.recommended!.c);
    }
  }

  it('under noise, proposes points inside a box around the recommended configuration, in its category', () => {
    expectLocalProposals(run(0.15, { localEvery: 1, localAcquisition: 'thompson' }), draws);
  });

  it('with the default EI, proposes the box maximizer: inside the box, in the recommendation\'s category', () => {
    const asks = run(0.15, { localEvery: 1 });
    expect(draws).toHaveLength(0);
    expectLocalProposals(asks, eiDraws);
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
