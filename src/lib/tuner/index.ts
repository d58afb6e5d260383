import { BayesianStrategy } from './bayesian';
import { GridStrategy } from './grid';
import { HyperbandStrategy, type HyperbandOptions } from './hyperband';
import { RandomStrategy } from './random';
import type { Strategy, StrategyName } from './types';

export * from './types';
export { MedianStoppingRule } from './stopping';
export { DEFAULT_GRID_POINTS } from './grid';
export { BeliefService, type Importance } from './belief-service';
export { DEFAULT_SLICE_POINTS, type SlicePoint } from './belief';
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
