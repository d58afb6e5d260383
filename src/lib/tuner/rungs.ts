import type { SearchSpace } from '../space';

/**
 * Hyperband's arithmetic with epochs as the budget (docs/TUNER.md, Hyperband): the rungs'
 * epochs and how many new configurations each bracket starts per cycle.
 */

/** The parameter whose value is a trial's budget. */
export const BUDGET_PARAMETER = 'epochs';
export const DEFAULT_ETA = 3;

/** The smallest and largest budget: the space's `epochs` range, or the options when it has none. */
export function epochRange(space: SearchSpace, options: { minEpochs?: number; maxEpochs?: number }): { min: number; max: number } {
  const p = space[BUDGET_PARAMETER];
  if (p && p.type === 'categorical') throw new RangeError(`Hyperband needs "${BUDGET_PARAMETER}" as a numeric range, not categories.`);
  const min = options.minEpochs ?? p?.min;
  const max = options.maxEpochs ?? p?.max;
  if (min === undefined || max === undefined) {
    throw new RangeError(`Hyperband needs a budget: search "${BUDGET_PARAMETER}" as an integer range (e.g. 1 to 27), or give the minimum and maximum epochs.`);
  }
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max <= min) {
    throw new RangeError(`Hyperband's epochs must be whole numbers with 1 ≤ minimum < maximum, got ${min} to ${max}.`);
  }
  return { min, max };
}

/**
 * The budgets of the rungs, ascending: the maximum, divided by η as often as the minimum allows
 * (max · η^−k ≥ min), rounded to whole epochs. 1 to 27 epochs with η = 3: 1, 3, 9, 27; 2 to 30:
 * 3, 10, 30 (rounded, never below the minimum). Rounding that merges two rungs keeps one.
 */
export function rungBudgets(min: number, max: number, eta = DEFAULT_ETA): number[] {
  if (!(eta >= 2)) throw new RangeError(`η must be at least 2, got ${eta}.`);
  const top = Math.floor(Math.log(max / min) / Math.log(eta) + 1e-9);
  const budgets: number[] = [];
  for (let k = top; k >= 0; k--) {
    const b = Math.max(min, Math.round(max / eta ** k));
    if (budgets.at(-1) !== b) budgets.push(b);
  }
  return budgets;
}

/**
 * Hyperband's brackets over `rungs` rungs: bracket s starts its configurations at rung s (s = 0
 * is the most aggressive, successive halving from the smallest budget; the last bracket runs
 * every configuration at full budget), and starts ⌈(S + 1)/(S − s + 1) · η^(S − s)⌉ of them per
 * cycle, S = rungs − 1 (Li et al.'s n for that bracket), so each bracket spends about the same
 * epochs.
 */
export function bracketShares(rungs: number, eta = DEFAULT_ETA): number[] {
  const top = rungs - 1;
  return Array.from({ length: rungs }, (_, s) => Math.ceil(((top + 1) / (top - s + 1)) * eta ** (top - s)));
}

/**
 * Which bracket each new configuration joins, in a cycle that gives every bracket its share
 * interleaved rather than in blocks (smooth weighted round robin), so a short job still sees
 * every bracket in proportion.
 */
export class BracketCycle {
  private readonly credit: number[];
  private readonly total: number;

  constructor(private readonly shares: readonly number[]) {
    this.credit = shares.map(() => 0);
    this.total = shares.reduce((a, b) => a + b, 0);
  }

  next(): number {
    let best = 0;
    for (let s = 0; s < this.shares.length; s++) {
      this.credit[s] += this.shares[s];
      if (this.credit[s] > this.credit[best]) best = s;
    }
    this.credit[best] -= this.total;
    return best;
  }
}
