import { describe, expect, it } from 'vitest';
import { lrScaleNote, schedulePlan, stepsPerEpochOf } from '../../../../src/ui/charts/schedule';
import { scheduleAt } from '../../../../src/lib/train/schedule';
import { lrReferenceBatch } from '../../../../src/lib/recipe/hyperparameters';

const resolved = { data: 'synthetic', train_size: 160, batch_size: 16, epochs: 3, lr: 0.1, warmup: 0.2, lr_start_factor: 0.1, lr_end_factor: 0, momentum: 0.9, momentum_cycle: 0.05 };

describe('schedulePlan', () => {
  it('computes every step of a short run from the resolved config, as the loop does', () => {
    const plan = schedulePlan({ resolved })!;
    expect(plan.stepsPerEpoch).toBe(10);
    expect(plan.totalSteps).toBe(30);
    expect(plan.points).toHaveLength(30);
    const cycle = { peakLr: 0.1, warmup: 0.2, startFactor: 0.1, endFactor: 0, momentum: 0.9, momentumCycle: 0.05 };
    expect(plan.points[7]).toEqual({ step: 7, ...scheduleAt(7, 30, cycle) });
    expect(plan.reached).toBeUndefined();
  });

  it('marks the last finished step from the trial’s progress, and takes its step counts', () => {
    const plan = schedulePlan({ resolved, progress: { epoch: 2, step: 12, totalSteps: 27, stepsPerEpoch: 9 } })!;
    expect(plan.totalSteps).toBe(27);
    expect(plan.stepsPerEpoch).toBe(9);
    expect(plan.reached?.step).toBe(11);
  });

  it('samples a long run, keeping the warm-up peak', () => {
    const plan = schedulePlan({ resolved: { ...resolved, train_size: 50_000, epochs: 24 } }, 100)!;
    expect(plan.totalSteps).toBe(75_000);
    expect(plan.points.length).toBeLessThanOrEqual(102);
    const peak = Math.max(...plan.points.map((p) => p.lr));
    expect(peak).toBeCloseTo(0.1, 4);
  });

  it('scales the peak lr by batch_size as the loop does, once the model is stated', () => {
    // tiny-cnn states lr at batch 32: batch 16 steps at half of it.
    const peakOf = (extra: Record<string, string | number>) => Math.max(...schedulePlan({ resolved: { ...resolved, ...extra } })!.points.map((p) => p.lr));
    expect(peakOf({ model: 'tiny-cnn' })).toBeCloseTo(peakOf({}) / 2, 12);
    expect(peakOf({ model: 'tiny-cnn', batch_size: 32, train_size: 320 }) / peakOf({ model: 'tiny-cnn' })).toBeCloseTo(2, 12);
    // A trial recorded under recipe 1 stepped at its lr, whatever its batch size.
    const recipe1 = schedulePlan({ resolved: { ...resolved, model: 'tiny-cnn' }, recipeVersion: 1 })!;
    expect(Math.max(...recipe1.points.map((p) => p.lr))).toBeCloseTo(peakOf({}), 12);
  });

  it('waits for the trial’s hyperparameters and for a CIFAR-10 trial’s progress, and draws nothing for an epoch without a step', () => {
    expect(schedulePlan({})).toBeUndefined();
    expect(schedulePlan({ resolved: { ...resolved, train_size: 8 } })).toBeUndefined();
    expect(stepsPerEpochOf({ resolved: { ...resolved, data: 'cifar10', train_size: 0 } })).toBeUndefined();
  });
});

describe('lrScaleNote', () => {
  const tiny = { ...resolved, model: 'tiny-cnn', lr: 0.1044, batch_size: 16 };

  it('says how the peak follows from lr and batch_size when the loop scales it', () => {
    const note = lrScaleNote(tiny, 2)!;
    const reference = lrReferenceBatch('tiny-cnn');
    expect(note).toContain(`Its peak is lr 0.1044 × batch_size 16 / ${reference} (tiny-cnn's default batch size, at which lr is stated) = `);
    // The peak it states is the one the chart's curve rises to (sampled at steps, so at or under it).
    const stated = Number(/= ([0-9.e-]+)\.$/.exec(note)![1]);
    expect(stated).toBeCloseTo((0.1044 * 16) / reference, 4);
    const drawn = Math.max(...schedulePlan({ resolved: tiny, recipeVersion: 2 })!.points.map((p) => p.lr));
    expect(drawn).toBeLessThanOrEqual(stated + 1e-4);
    expect(drawn).toBeGreaterThan(stated * 0.8);
  });

  it('is undefined when the peak is lr itself: recipe 1, or no model to scale by', () => {
    expect(lrScaleNote(tiny, 1)).toBeUndefined();
    expect(lrScaleNote(resolved)).toBeUndefined();
  });
});
