import { describe, expect, it } from 'vitest';
import { scheduleAt, type OneCycle } from '../../../src/lib/train/schedule';

const cycle: OneCycle = { peakLr: 1, warmup: 0.2, startFactor: 0.1, endFactor: 0, momentum: 0.95, momentumCycle: 0.1 };

describe('one-cycle schedule', () => {
  it('rises linearly to the peak over the warm-up fraction, then anneals towards zero (steps at their midpoints)', () => {
    // 10 steps: step s sits at t = (s + 0.5) / 10; the peak is at t = 0.2.
    const lrs = Array.from({ length: 10 }, (_, s) => scheduleAt(s, 10, cycle).lr);
    expect(lrs[0]).toBeCloseTo(0.1 + 0.9 * 0.25, 12); // t = 0.05
    expect(lrs[1]).toBeCloseTo(0.1 + 0.9 * 0.75, 12); // t = 0.15
    expect(lrs[2]).toBeCloseTo(0.75 / 0.8, 12); // t = 0.25, annealing
    expect(lrs[9]).toBeCloseTo(0.05 / 0.8, 12); // t = 0.95: near zero, not zero
    for (let s = 2; s < 9; s++) expect(lrs[s + 1]).toBeLessThan(lrs[s]);
  });

  it('scales with the peak lr and meets lr_end_factor at the end', () => {
    const c = { ...cycle, peakLr: 0.4, startFactor: 0.2, endFactor: 0.07, warmup: 0.5 };
    expect(scheduleAt(0, 2, c).lr).toBeCloseTo(0.4 * (0.2 + 0.8 * 0.5), 12);
    expect(scheduleAt(1, 2, c).lr).toBeCloseTo(0.4 * (0.07 + 0.93 * 0.5), 12);
    expect(scheduleAt(999_999, 1_000_000, c).lr).toBeCloseTo(0.4 * 0.07, 5);
  });

  it('cycles momentum inversely: highest while the lr is low, lowest at the peak', () => {
    expect(scheduleAt(0, 10, cycle).momentum).toBeCloseTo(0.95 - 0.1 * 0.25, 12);
    expect(scheduleAt(1, 10, cycle).momentum).toBeCloseTo(0.95 - 0.1 * 0.75, 12);
    expect(scheduleAt(9, 10, cycle).momentum).toBeCloseTo(0.95 - 0.1 * (0.05 / 0.8), 12);
    expect(scheduleAt(1, 1000, cycle).momentum).toBeCloseTo(0.95, 2);
    expect(scheduleAt(199, 400, cycle).momentum).toBeCloseTo(0.95 - 0.1 * (0.50125 / 0.8), 12);
    expect(scheduleAt(3, 10, { ...cycle, momentumCycle: 0 }).momentum).toBe(0.95);
  });

  it('handles no warm-up and all warm-up', () => {
    expect(scheduleAt(0, 4, { ...cycle, warmup: 0 }).lr).toBeCloseTo(1 - 0.125, 12);
    expect(scheduleAt(3, 4, { ...cycle, warmup: 1 }).lr).toBeCloseTo(0.1 + 0.9 * 0.875, 12);
  });
});

describe('one-cycle schedule over a Hyperband rung', () => {
  // The loop runs totalSteps = epochs × stepsPerEpoch (src/lib/train/loop.ts), so a trial of a
  // rung with fewer epochs gets the whole cycle over its own steps, not the start of a longer one.
  it('traces the same cycle whatever the number of epochs: warm-up to the peak, then annealing to the end factor', () => {
    const stepsPerEpoch = 12;
    for (const epochs of [1, 3, 9, 27]) {
      const total = epochs * stepsPerEpoch;
      const lrs = Array.from({ length: total }, (_, s) => scheduleAt(s, total, cycle).lr);
      const peak = lrs.indexOf(Math.max(...lrs));
      // The peak sits at the warm-up fraction of this run's steps, and the last step is near the end.
      expect(Math.abs((peak + 0.5) / total - cycle.warmup)).toBeLessThanOrEqual(1 / total);
      expect(lrs[total - 1]).toBeLessThan(0.06);
      // Step s of this run sits where step k·s + (k − 1)/2 of a 27-epoch run does (k = 27 / epochs):
      // the same point of the cycle, the same learning rate and momentum.
      const k = 27 / epochs;
      for (let s = 0; s < total; s++) expect(scheduleAt(s, total, cycle)).toEqual(scheduleAt(k * s + (k - 1) / 2, 27 * stepsPerEpoch, cycle));
    }
  });
});
