import type { Params, SearchSpace } from '../space';
import type { Recommendation } from './recommend';

export type Goal = 'minimize' | 'maximize';
/**
 * Every search strategy this build runs; the page, the job schema and the CLI offer exactly these.
 * `hyperband`'s trials carry their budget in `epochs` (docs/TUNER.md, Hyperband).
 */
export const STRATEGIES = ['bayesian', 'random', 'grid', 'hyperband'] as const;
export type StrategyName = (typeof STRATEGIES)[number];

export interface Suggestion {
  id: string;
  params: Params;
}

export type Outcome = { value: number } | { failed: true };

export interface StrategyOptions {
  space: SearchSpace;
  goal: Goal;
  seed: number;
  /** Grid strategy only: points per continuous parameter (default DEFAULT_GRID_POINTS = 5). */
  gridPoints?: number;
  /**
   * The job's total number of trials, when known (max jobs). The Bayesian strategy spends the
   * last asks of it on exploitation under noise (docs/TUNER.md, Noise); the others ignore it.
   */
  maxTrials?: number;
}

/**
 * What the job runner asks of a search strategy. The strategy only answers: it never starts,
 * stops or schedules trials. Suggestions stay pending until told.
 */
export interface Strategy {
  /** Up to `count` new trials; fewer (or none) once the space is exhausted. */
  ask(count: number): Suggestion[];
  /**
   * A point this strategy did not propose, to be run now (a re-run of a trial with a new seed):
   * it is pending like a suggestion, so asks made before its result avoid it, and its result
   * comes through `tell` with the id returned. A failed outcome only drops it. Points outside
   * the space throw.
   */
  register(params: Params): string;
  /** The result of a suggestion this strategy made or a point registered with it. Unknown ids throw. */
  tell(id: string, outcome: Outcome): void;
  /**
   * An observation made elsewhere (warm start, or a resumed job's earlier trials): it counts as
   * data but was never asked. A non-finite value (NaN) records a failed trial at that point.
   */
  observe(params: Params, value: number): void;
  /**
   * The evaluated configuration this strategy believes best (see `Recommendation`): by the GP's
   * posterior mean under `bayesian`, by the best observed value otherwise. Null before any result.
   */
  recommend(): Recommendation | null;
}

/**
 * The job runner's view of a strategy across a Worker boundary, where every call is
 * asynchronous. It has no `recommend`: the page takes the recommendation from the worker's
 * display belief (`BeliefService.recommend`), which fits beside the strategy.
 */
export type StrategyClient = {
  [K in Exclude<keyof Strategy, 'recommend'>]: (...args: Parameters<Strategy[K]>) => ReturnType<Strategy[K]> | Promise<ReturnType<Strategy[K]>>;
};
