import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/lib/rng';
import { sampleParams, type SearchSpace } from '../../../src/lib/space';
import { fitBelief } from '../../../src/lib/tuner/belief';
import { BayesianStrategy } from '../../../src/lib/tuner/bayesian';

const space: SearchSpace = { x: { type: 'continuous', min: 0, max: 1 }, y: { type: 'continuous', min: 0, max: 1 } };
/** Smooth, spanning about 3 units over the square. */
const truth = (x: number, y: number) => Math.sin(3 * x) + Math.cos(2 * y) + x * y;

/**
 * The noise variance the GP learns, in the objective's units: without the power transform the
 * output warp is affine, z ↦ a·z + b, so a variance in the GP's units scales by a².
 */
function learnedNoiseSd(sd: number, seed: number): number {
  const rng = createRng(seed);
  const observations = Array.from({ length: 80 }, () => {
    const params = sampleParams(space, rng);
    return { params, value: truth(params.x as number, params.y as number) + sd * rng.normal() };
  });
  const belief = fitBelief(space, 'minimize', observations, { seed, powerTransform: false })!;
  const scale = belief.warp.inverse(1) - belief.warp.inverse(0);
  return Math.sqrt(belief.posterior.noise) * scale;
}

describe('the learned noise variance', () => {
  it.each([0.03, 0.1, 0.3])('matches a true noise σ of %s within 25 % (80 points, 3 seeds)', (sd) => {
    for (const seed of [1, 2, 3]) {
      const learned = learnedNoiseSd(sd, seed);
      expect(learned).toBeGreaterThan(sd / 1.25);
      expect(learned).toBeLessThan(sd * 1.25);
    }
  });

  it('stays near the floor for a noiseless function', () => {
    expect(learnedNoiseSd(0, 1)).toBeLessThan(0.01);
  });
});

describe('re-evaluating the recommended configuration', () => {
  /** 20 asks told noisy (σ) values of a bowl; returns the index of each ask that repeated an earlier point. */
  function repeats(sd: number, options: { reevaluateEvery?: number } = {}): number[] {
    const rng = createRng(5);
    const strategy = new BayesianStrategy({ space, goal: 'minimize', seed: 5, ...options });
    const seen = new Set<string>();
    const repeated: number[] = [];
    for (let i = 0; i < 20; i++) {
      const recommended = strategy.recommend();
      const [t] = strategy.ask(1);
      const key = JSON.stringify(t.params);
      if (seen.has(key)) {
        repeated.push(i);
        // What runs again is the configuration the strategy recommended.
        expect(t.params).toEqual(recommended!.params);
      }
      seen.add(key);
      strategy.tell(t.id, { value: truth(t.params.x as number, t.params.y as number) + sd * rng.normal() });
    }
    return repeated;
  }

  it('runs the recommended configuration again under noise, at most once in 3 asks, and never on a noiseless objective', () => {
    const noisy = repeats(0.3);
    expect(noisy.length).toBeGreaterThan(0);
    for (let i = 1; i < noisy.length; i++) expect(noisy[i] - noisy[i - 1]).toBeGreaterThanOrEqual(3);
    expect(repeats(0)).toEqual([]);
    expect(repeats(0.3, { reevaluateEvery: 0 })).toEqual([]);
  });
});
