import { RandomStrategy } from './random';
import type { Strategy, StrategyName, StrategyOptions } from './types';

export * from './types';

/** Strategies built so far; `bayesian` and `grid` join through this one switch. */
export function createStrategy(name: StrategyName, options: StrategyOptions): Strategy {
  switch (name) {
    case 'random':
      return new RandomStrategy(options);
    default:
      throw new Error(`The "${name}" strategy is not available yet.`);
  }
}
