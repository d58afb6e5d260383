import type { Goal } from './types';

export interface MedianStoppingOptions {
  goal: Goal;
  /**
   * Completed trials needed before the rule may fire (default 3): a median of one or two
   * curves is mostly noise and would stop good trials on an unlucky comparison.
   */
  minCompletedTrials?: number;
  /**
   * First step at which the rule may fire (default 3): the first epochs of training are noisy
   * and say little about the final value, and a trial should not be judged on its warm-up.
   */
  minStep?: number;
}

/**
 * SageMaker's "Auto" median stopping rule: a running trial whose objective at step s is worse
 * than the median, over completed trials that reached step s, of their running averages up
 * to step s is told to stop. A running average is the mean of a trial's reports at steps ≤ s.
 *
 * Trials are tracked by id: `report` as they run, then `complete` when they finish (their
 * curve then counts) or `discard` when it should not (failed, stopped, abandoned).
 */
export class MedianStoppingRule {
  private readonly goal: Goal;
  private readonly minCompleted: number;
  private readonly minStep: number;
  private readonly running = new Map<string, Map<number, number>>();
  /** Completed curves: steps ascending with their cumulative sums. */
  private readonly completed: { steps: number[]; sums: number[] }[] = [];

  constructor(options: MedianStoppingOptions) {
    this.goal = options.goal;
    this.minCompleted = options.minCompletedTrials ?? 3;
    this.minStep = options.minStep ?? 3;
  }

  /** Records a report and says whether the trial should stop now. */
  report(id: string, step: number, value: number): boolean {
    if (!Number.isFinite(step) || !Number.isFinite(value)) return false;
    let curve = this.running.get(id);
    if (!curve) {
      curve = new Map();
      this.running.set(id, curve);
    }
    curve.set(step, value);
    return this.shouldStop(step, value);
  }

  /** The trial finished: its curve becomes a reference for later trials. */
  complete(id: string): void {
    const curve = this.running.get(id);
    this.running.delete(id);
    if (!curve || curve.size === 0) return;
    const steps = [...curve.keys()].sort((a, b) => a - b);
    const sums: number[] = [];
    let total = 0;
    for (const step of steps) {
      total += curve.get(step) as number;
      sums.push(total);
    }
    this.completed.push({ steps, sums });
  }

  /** Forget a trial without using its curve. */
  discard(id: string): void {
    this.running.delete(id);
  }

  get completedCount(): number {
    return this.completed.length;
  }

  /** Median running average at `step` over completed trials that reached it, or null if too few. */
  medianAt(step: number): number | null {
    const averages: number[] = [];
    for (const curve of this.completed) {
      if (curve.steps[curve.steps.length - 1] < step) continue;
      const count = countAtMost(curve.steps, step);
      if (count === 0) continue;
      averages.push(curve.sums[count - 1] / count);
    }
    if (averages.length < this.minCompleted) return null;
    averages.sort((a, b) => a - b);
    const mid = averages.length >> 1;
    return averages.length % 2 === 1 ? averages[mid] : (averages[mid - 1] + averages[mid]) / 2;
  }

  private shouldStop(step: number, value: number): boolean {
    if (step < this.minStep) return false;
    const median = this.medianAt(step);
    if (median === null) return false;
    return this.goal === 'minimize' ? value > median : value < median;
  }
}

/** Number of sorted steps ≤ step (binary search). */
function countAtMost(steps: number[], step: number): number {
  let lo = 0;
  let hi = steps.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (steps[mid] <= step) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
