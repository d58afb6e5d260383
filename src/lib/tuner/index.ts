import { BayesianStrategy } from './bayesian';
import { GridStrategy } from './grid';
import { HyperbandStrategy, type HyperbandOptions } from './hyperband';
import { RandomStrategy } from './random';
import type { Belief } from './belief';
import type { Strategy, StrategyName } from './types';

export * from './types';
export { MedianStoppingRule } from './stopping';
export { DEFAULT_GRID_POINTS } from './grid';
export { BeliefService } from './belief-service';
export type { Importance } from './importance';
export { DEFAULT_SLICE_POINTS, type Belief, type SlicePoint } from './belief';
export type { Recommendation } from './recommend';
export type { HyperbandOptions, HyperbandSuggestion } from './hyperband';
export type { LengthscaleImportance, VarianceImportance } from './importance';

/** The one switch from a strategy's name to its implementation. */
export function createStrategy(name: StrategyName, options: HyperbandOptions): Strategy {
  switch (name) {
    case 'bayesian':
      return new BayesianStrategy(options);
    case 'random':
      return new RandomStrategy(options);
    case 'grid':
      return new GridStrategy(options);
    case 'hyperband':
      return new HyperbandStrategy(options);
    default:
      throw new Error(`Unknown strategy "${String(name)}".`);
  }
}

/**
 * The model a strategy shows itself in place of the display belief's own fit (`BeliefService`'s
 * `source`): Hyperband's joint GP at the full budget; none for the others.
 */
export function strategyBelief(strategy: Strategy): (() => Belief | null) | undefined {
  return strategy instanceof HyperbandStrategy ? () => strategy.fullBudgetBelief() : undefined;
}
