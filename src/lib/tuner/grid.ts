import { createRng } from '../rng';
import { fromUnit, paramsKey, resolveScale, type CategoryValue, type Params, type SearchSpace } from '../space';
import { assertParams } from '../space';
import type { Outcome, Strategy, StrategyOptions, Suggestion } from './types';
import { PendingTrials } from './pending';
import { ObservedConfigurations, type Recommendation } from './recommend';
import { orientation } from './surrogate';

/** Points per continuous parameter when `gridPoints` is not given: ends, quartiles and middle. */
export const DEFAULT_GRID_POINTS = 5;

/** The values one parameter takes on the grid, listed lazily (an integer range may be huge). */
export interface GridAxis {
  name: string;
  count: number;
  valueAt: (index: number) => CategoryValue;
}

/**
 * Every value each parameter takes on the grid: all categories, all integers in range, and
 * `gridPoints` evenly spaced values of a continuous parameter in its own scale (ends included,
 * so a log-scaled learning rate gets one value per equal step in decades).
 */
export function gridAxes(space: SearchSpace, gridPoints = DEFAULT_GRID_POINTS): GridAxis[] {
  const points = Math.max(1, Math.floor(gridPoints));
  return Object.entries(space).map(([name, param]): GridAxis => {
    switch (param.type) {
      case 'categorical':
        return { name, count: param.values.length, valueAt: (i) => param.values[i] };
      case 'integer':
        return { name, count: param.max - param.min + 1, valueAt: (i) => param.min + i };
      case 'continuous': {
        const scale = resolveScale(param);
        if (points === 1) return { name, count: 1, valueAt: () => fromUnit(0.5, param.min, param.max, scale) };
        const valueAt = (i: number): number =>
          i === 0 ? param.min : i === points - 1 ? param.max : fromUnit(i / (points - 1), param.min, param.max, scale);
        return { name, count: points, valueAt };
      }
    }
  });
}

export function gridSize(axes: GridAxis[]): bigint {
  return axes.reduce((total, axis) => total * BigInt(axis.count), 1n);
}

/** The grid point with a given mixed-radix index (first parameter varies slowest). */
export function gridPoint(axes: GridAxis[], index: bigint): Params {
  const digits = new Array<number>(axes.length);
  let rest = index;
  for (let a = axes.length - 1; a >= 0; a--) {
    const radix = BigInt(axes[a].count);
    digits[a] = Number(rest % radix);
    rest /= radix;
  }
  const params: Params = {};
  axes.forEach((axis, a) => (params[axis.name] = axis.valueAt(digits[a])));
  return params;
}

export interface GridOptions extends StrategyOptions {
  gridPoints?: number;
}

/**
 * Exhaustive grid, visited in a seeded order: a job with fewer trials than grid points then
 * covers the grid evenly instead of sweeping only the last parameter. The order is an affine
 * permutation i → (a·i + b) mod N with gcd(a, N) = 1: a bijection that needs no memory, even
 * for grids too large to list. When every point has been asked, ask returns [].
 */
export class GridStrategy implements Strategy {
  private readonly axes: GridAxis[];
  private readonly size: bigint;
  private readonly multiplier: bigint;
  private readonly shift: bigint;
  private cursor = 0n;
  private readonly seen = new Set<string>();
  private readonly pending = new PendingTrials<Params>();
  private readonly results: ObservedConfigurations;

  constructor(private readonly options: GridOptions) {
    this.results = new ObservedConfigurations(options.space, orientation(options.goal));
    this.axes = gridAxes(options.space, options.gridPoints ?? DEFAULT_GRID_POINTS);
    this.size = gridSize(this.axes);
    const rng = createRng(options.seed);
    const draw = (): bigint => BigInt(Math.floor(rng.next() * 2 ** 52)) % this.size;
    let multiplier = draw();
    if (multiplier === 0n) multiplier = 1n;
    while (gcd(multiplier, this.size) !== 1n) multiplier = (multiplier + 1n) % this.size || 1n;
    this.multiplier = multiplier;
    this.shift = draw();
  }

  ask(count: number): Suggestion[] {
    const suggestions: Suggestion[] = [];
    while (suggestions.length < count && this.cursor < this.size) {
      const index = (this.multiplier * this.cursor + this.shift) % this.size;
      this.cursor++;
      const params = gridPoint(this.axes, index);
      const key = paramsKey(this.options.space, params);
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      suggestions.push({ id: this.pending.issue(params), params });
    }
    return suggestions;
  }

  /** Taken like a suggestion: a grid point registered before its turn is skipped when it comes. */
  register(params: Params): string {
    assertParams(this.options.space, params);
    this.seen.add(paramsKey(this.options.space, params));
    return this.pending.issue(params);
  }

  tell(id: string, outcome: Outcome): void {
    const params = this.pending.resolve(id);
    if ('value' in outcome) this.results.add(params, outcome.value, id);
  }

  observe(params: Params, value: number): void {
    assertParams(this.options.space, params);
    this.seen.add(paramsKey(this.options.space, params));
    this.results.add(params, value);
  }

  /** No model: the configuration with the best observed value (mean over its runs). */
  recommend(): Recommendation | null {
    return this.results.bestObserved();
  }
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}
