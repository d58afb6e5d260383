import { createStrategy, type Strategy, type StrategyName } from '../../src/lib/tuner';
import { BayesianStrategy, type BayesianOptions } from '../../src/lib/tuner/bayesian';
import type { BenchFunction } from './functions';

/**
 * One optimization run with two trials always in flight (max_parallel_jobs = 2): ask 2, then
 * after each result (oldest first) ask 1 until the budget is asked. Returns the simple regret.
 */
export function runOnce(fn: BenchFunction, strategyName: StrategyName, seed: number, extra: Partial<BayesianOptions> = {}): number {
  const options = { space: fn.space, goal: 'minimize' as const, seed };
  const strategy: Strategy = strategyName === 'bayesian' ? new BayesianStrategy({ ...options, ...extra }) : createStrategy(strategyName, options);
  const queue = [...strategy.ask(2)];
  let asked = queue.length;
  let best = Infinity;
  while (queue.length > 0) {
    const trial = queue.shift()!;
    const value = fn.evaluate(trial.params);
    best = Math.min(best, value);
    strategy.tell(trial.id, { value });
    if (asked < fn.budget) {
      const next = strategy.ask(1);
      asked += next.length;
      queue.push(...next);
    }
  }
  return best - fn.minimum;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
