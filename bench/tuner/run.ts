import { createRng, type Rng } from '../../src/lib/rng';
import type { Params } from '../../src/lib/space';
import { createStrategy, type Strategy, type StrategyName } from '../../src/lib/tuner';
import { BayesianStrategy, type BayesianOptions } from '../../src/lib/tuner/bayesian';
import type { BenchFunction } from './functions';

/** How one run ended: simple regrets, each the *true* (noiseless) value of a configuration minus the known minimum. */
export interface RunRegret {
  /** The configuration with the best observed (noisy) value. */
  observed: number;
  /** The configuration the strategy recommends (`Strategy.recommend`). */
  recommended: number;
}

/** The noise stream of one seed: the same draws, in evaluation order, whichever optimizer asks. */
export function noiseStream(seed: number): Rng {
  return createRng(1_000_003 * seed + 17);
}

/** A value as the optimizer sees it: the true value plus the function's Gaussian noise, if any. */
export function observe(fn: BenchFunction, params: Params, noise: Rng): number {
  const value = fn.evaluate(params);
  return fn.noise ? value + fn.noise * noise.normal() : value;
}

/** Keeps the best observed value and the true value of the configuration that had it. */
export class BestObserved {
  value = Infinity;
  truth = Infinity;
  add(observed: number, truth: number): void {
    if (observed < this.value) [this.value, this.truth] = [observed, truth];
  }
}

/**
 * One optimization run with two trials always in flight (max_parallel_jobs = 2): ask 2, then
 * after each result (oldest first) ask 1 until the budget is asked.
 */
export function runOnce(fn: BenchFunction, strategyName: StrategyName, seed: number, extra: Partial<BayesianOptions> = {}): RunRegret {
  const options = { space: fn.space, goal: 'minimize' as const, seed };
  const strategy: Strategy = strategyName === 'bayesian' ? new BayesianStrategy({ ...options, ...extra }) : createStrategy(strategyName, options);
  const noise = noiseStream(seed);
  const queue = [...strategy.ask(2)];
  let asked = queue.length;
  const best = new BestObserved();
  while (queue.length > 0) {
    const trial = queue.shift()!;
    const value = observe(fn, trial.params, noise);
    best.add(value, fn.evaluate(trial.params));
    strategy.tell(trial.id, { value });
    if (asked < fn.budget) {
      const next = strategy.ask(1);
      asked += next.length;
      queue.push(...next);
    }
  }
  const recommended = strategy.recommend();
  return { observed: best.truth - fn.minimum, recommended: (recommended ? fn.evaluate(recommended.params) : Infinity) - fn.minimum };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function mean(values: number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}
