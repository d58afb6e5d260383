import type { CategoryValue } from '../../lib/space';

/** The trials' objectives in one category: their mean and its standard error. */
export interface CategoryStats {
  value: CategoryValue;
  count: number;
  /** Undefined with no trials. */
  mean?: number;
  /** ±1 standard error of the mean, s/√n with the sample standard deviation; undefined below 2 trials. */
  standardError?: number;
}

/** One entry per category, in the space's order, including categories no trial has tried yet. */
export function categoryStats(points: readonly { value: CategoryValue; objective: number }[], categories: readonly CategoryValue[]): CategoryStats[] {
  return categories.map((value) => {
    const ys = points.filter((p) => p.value === value).map((p) => p.objective);
    const count = ys.length;
    if (count === 0) return { value, count };
    const mean = ys.reduce((a, b) => a + b, 0) / count;
    if (count < 2) return { value, count, mean };
    const variance = ys.reduce((sum, y) => sum + (y - mean) ** 2, 0) / (count - 1);
    return { value, count, mean, standardError: Math.sqrt(variance / count) };
  });
}

/**
 * A horizontal offset in [-0.5, 0.5) for a trial's point in a category's strip, fixed by its
 * number so that points do not move as trials arrive (golden-ratio steps spread them evenly).
 */
export function jitter(trialNumber: number): number {
  return ((trialNumber * 0.6180339887498949) % 1) - 0.5;
}
