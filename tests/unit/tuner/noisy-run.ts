import { createRng } from '../../../src/lib/rng';
import type { Params, SearchSpace } from '../../../src/lib/space';
import { BayesianStrategy, type BayesianOptions } from '../../../src/lib/tuner/bayesian';

export interface RecordedAsk {
  params: Params;
  /** The strategy's recommendation just before this ask. */
  recommended: Params | null;
}

export interface NoisyRun {
  space: SearchSpace;
  /** The noiseless objective, minimized. */
  truth: (params: Params) => number;
  trials: number;
  /** Seeds the strategy and the noise stream alike, so runs that differ only in options see the same draws. */
  seed: number;
}

/** `trials` asks one at a time, each told its truth plus noise of σ `sd`, recording each ask beside the recommendation before it. */
export function runNoisy(run: NoisyRun, sd: number, options: Partial<BayesianOptions> = {}): RecordedAsk[] {
  const rng = createRng(run.seed);
  const strategy = new BayesianStrategy({ space: run.space, goal: 'minimize', seed: run.seed, ...options });
  const asks: RecordedAsk[] = [];
  for (let i = 0; i < run.trials; i++) {
    const recommended = strategy.recommend()?.params ?? null;
    const [t] = strategy.ask(1);
    asks.push({ params: t.params, recommended });
    strategy.tell(t.id, { value: run.truth(t.params) + sd * rng.normal() });
  }
  return asks;
}
