import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/lib/rng';
import type { SearchSpace } from '../../../src/lib/space';
import { createStrategy, type Goal, type StrategyName } from '../../../src/lib/tuner';
import { ObservedConfigurations } from '../../../src/lib/tuner/recommend';

const space: SearchSpace = { x: { type: 'continuous', min: 0, max: 1, scale: 'linear' } };
const truth = (x: number) => 4 * (x - 0.3) ** 2;
/** Where the lucky draw lands: a configuration whose true value is far from the best. */
const LUCKY_X = 0.62;

/**
 * 21 noisy results on a grid (noise σ = 0.05) and one lucky draw at LUCKY_X, observed well
 * below the true minimum of 0: the best observed result is a bad configuration.
 */
function noisyResults(sign: 1 | -1): { x: number; value: number }[] {
  const rng = createRng(3);
  const results = Array.from({ length: 21 }, (_, i) => ({ x: i / 20, value: truth(i / 20) + 0.05 * rng.normal() }));
  results.push({ x: LUCKY_X, value: -0.12 });
  return results.map((r) => ({ x: r.x, value: sign * r.value }));
}

function recommendAfter(name: StrategyName, goal: Goal) {
  const sign = goal === 'maximize' ? -1 : 1;
  const strategy = createStrategy(name, { space, goal, seed: 1 });
  for (const r of noisyResults(sign)) strategy.observe({ x: r.x }, r.value);
  return strategy.recommend()!;
}

describe('recommend', () => {
  it('is null before any result, whatever the strategy', () => {
    for (const name of ['bayesian', 'random', 'grid'] as const) {
      const strategy = createStrategy(name, { space, goal: 'minimize', seed: 1 });
      expect(strategy.recommend()).toBeNull();
      const [trial] = strategy.ask(1);
      strategy.tell(trial.id, { failed: true });
      expect(strategy.recommend()).toBeNull();
    }
  });

  it.each(['minimize', 'maximize'] as const)('does not recommend a lucky draw of a bad point (bayesian, %s)', (goal) => {
    const sign = goal === 'maximize' ? -1 : 1;
    const r = recommendAfter('bayesian', goal);
    expect(r.basis).toBe('model');
    // The model sees through the lucky draw: it recommends a point near the true optimum.
    const x = r.params.x as number;
    expect(x).not.toBe(LUCKY_X);
    expect(Math.abs(x - 0.3)).toBeLessThanOrEqual(0.1);
    // The prediction is in the objective's units and direction, and about right.
    expect(Math.abs(sign * r.mean! - truth(x))).toBeLessThan(0.1);
    expect(r.sd).toBeGreaterThan(0);
    expect(r.sd).toBeLessThan(0.1);
    expect(r.observed).toBe(noisyResults(sign).find((o) => o.x === x)!.value);
    expect(r.id).toBeNull();
  });

  it.each(['random', 'grid'] as const)('%s recommends the best observed value, labelled so', (name) => {
    const r = recommendAfter(name, 'minimize');
    expect(r).toEqual({ params: { x: LUCKY_X }, id: null, observed: -0.12, runs: 1, mean: null, sd: null, basis: 'observed' });
    expect(recommendAfter(name, 'maximize').params).toEqual({ x: LUCKY_X });
  });

  it('averages the runs of one configuration and names its first trial', () => {
    for (const name of ['bayesian', 'random', 'grid'] as const) {
      const strategy = createStrategy(name, { space, goal: 'minimize', seed: 2 });
      const [a, b] = strategy.ask(2);
      strategy.tell(a.id, { value: 1 });
      strategy.tell(b.id, { value: 0.5 });
      // Two re-runs of b, both worse than a: b's mean (0.5 + 1.6 + 1.8) / 3 = 1.3 loses to a's 1.
      for (const value of [1.6, 1.8]) strategy.tell(strategy.register(b.params), { value });
      const r = strategy.recommend()!;
      if (name === 'bayesian') {
        expect(r.basis).toBe('model');
        expect(r.mean).not.toBeNull();
      } else {
        expect(r).toMatchObject({ params: a.params, id: a.id, observed: 1, runs: 1, basis: 'observed' });
      }
      const before = createStrategy(name, { space, goal: 'minimize', seed: 2 });
      const [c, d] = before.ask(2);
      before.tell(c.id, { value: 1 });
      before.tell(d.id, { value: 0.5 });
      before.tell(before.register(d.params), { value: 0.7 });
      if (name !== 'bayesian') expect(before.recommend()).toMatchObject({ params: d.params, id: d.id, observed: 0.6, runs: 2 });
    }
  });

  it('recommends the best observed point under bayesian until the GP has 2 results', () => {
    const strategy = createStrategy('bayesian', { space, goal: 'minimize', seed: 1 });
    strategy.observe({ x: 0.5 }, 2);
    expect(strategy.recommend()).toEqual({ params: { x: 0.5 }, id: null, observed: 2, runs: 1, mean: null, sd: null, basis: 'observed' });
  });
});

describe('ObservedConfigurations.replicatesDiffer', () => {
  it('is true once two runs of one configuration differ, not for equal re-runs or different configurations', () => {
    const results = new ObservedConfigurations(space, 1);
    results.add({ x: 0.1 }, 1);
    results.add({ x: 0.2 }, 2);
    results.add({ x: 0.1 }, 1);
    results.add({ x: 0.3 }, Number.NaN);
    results.add({ x: 0.3 }, 4);
    expect(results.replicatesDiffer).toBe(false);
    results.add({ x: 0.2 }, 2.5);
    expect(results.replicatesDiffer).toBe(true);
  });
});
