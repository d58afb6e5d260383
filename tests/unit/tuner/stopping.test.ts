import { describe, expect, it } from 'vitest';
import { MedianStoppingRule } from '../../../src/lib/tuner/stopping';

/** Feeds a whole curve (values at steps 1..n) and completes the trial. */
function complete(rule: MedianStoppingRule, id: string, curve: number[]): void {
  curve.forEach((v, i) => rule.report(id, i + 1, v));
  rule.complete(id);
}

describe('median stopping rule', () => {
  // Loss curves of finished trials: running averages at step 4 are 1.0, 1.5 and 2.25.
  const finished = [
    [1.3, 1.1, 0.9, 0.7, 0.5],
    [1.8, 1.6, 1.4, 1.2, 1.0],
    [2.4, 2.3, 2.2, 2.1, 2.0],
  ];

  it('stops a trial worse than the median of running averages, not a better one (minimize)', () => {
    const rule = new MedianStoppingRule({ goal: 'minimize' });
    finished.forEach((c, i) => complete(rule, `c${i}`, c));
    expect(rule.medianAt(4)).toBeCloseTo(1.5, 12);
    expect(rule.report('bad', 4, 1.6)).toBe(true);
    expect(rule.report('good', 4, 1.4)).toBe(false);
    expect(rule.report('tie', 4, 1.5)).toBe(false);
  });

  it('waits for enough completed trials and a minimum step', () => {
    const rule = new MedianStoppingRule({ goal: 'minimize', minCompletedTrials: 3, minStep: 3 });
    complete(rule, 'a', finished[0]);
    complete(rule, 'b', finished[1]);
    expect(rule.report('x', 4, 100)).toBe(false);
    complete(rule, 'c', finished[2]);
    expect(rule.report('y', 2, 100)).toBe(false);
    expect(rule.report('y', 3, 100)).toBe(true);
  });

  it('is goal-aware: for accuracy, lower than the median stops', () => {
    const rule = new MedianStoppingRule({ goal: 'maximize', minStep: 1 });
    complete(rule, 'a', [0.3, 0.5, 0.6]);
    complete(rule, 'b', [0.2, 0.4, 0.5]);
    complete(rule, 'c', [0.4, 0.6, 0.7]);
    // Running averages at step 2: 0.4, 0.3, 0.5 → median 0.4.
    expect(rule.report('low', 2, 0.35)).toBe(true);
    expect(rule.report('high', 2, 0.45)).toBe(false);
  });

  it('only compares with completed trials that reached the step, and ignores discarded ones', () => {
    const rule = new MedianStoppingRule({ goal: 'minimize', minStep: 1 });
    finished.forEach((c, i) => complete(rule, `c${i}`, c));
    complete(rule, 'short', [0.1, 0.1]);
    rule.report('failed', 1, 0.01);
    rule.discard('failed');
    expect(rule.completedCount).toBe(4);
    // At step 5 only the three long curves count: averages 0.9, 1.4, 2.2.
    expect(rule.medianAt(5)).toBeCloseTo(1.4, 12);
    // At step 2 all four do: 1.2, 1.7, 2.35, 0.1 → median (1.2 + 1.7) / 2.
    expect(rule.medianAt(2)).toBeCloseTo(1.45, 12);
  });

  it('uses the steps each curve actually reported (sparse evaluation)', () => {
    const rule = new MedianStoppingRule({ goal: 'minimize', minStep: 0 });
    for (const [id, values] of [['a', [4, 2]], ['b', [6, 4]], ['c', [8, 6]]] as const) {
      rule.report(id, 100, values[0]);
      rule.report(id, 200, values[1]);
      rule.complete(id);
    }
    // At step 150 each running average covers step 100 only.
    expect(rule.medianAt(150)).toBe(6);
    expect(rule.report('t', 150, 6.5)).toBe(true);
  });
});
