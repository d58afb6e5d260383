import type { Trial } from '../../lib/job';
import { scheduleAt, type OneCycle } from '../../lib/train/schedule';
import { MODEL_NAMES, effectiveLr, lrReferenceBatch, type ModelName } from '../../lib/recipe/hyperparameters';
import { formatValue } from './scales';

export interface SchedulePoint {
  /** 0-based step of the whole trial. */
  step: number;
  lr: number;
  momentum: number;
}

export interface SchedulePlan {
  totalSteps: number;
  stepsPerEpoch: number;
  points: SchedulePoint[];
  /** The last step the trial has finished, once it reported progress. */
  reached?: SchedulePoint;
}

/** The one-cycle shape as the training loop builds it from a trial's resolved hyperparameters. */
export function oneCycleOf(resolved: NonNullable<Trial['resolved']>, recipeVersion?: number): OneCycle | undefined {
  const number = (name: string) => (typeof resolved[name] === 'number' ? (resolved[name] as number) : undefined);
  const lr = number('lr');
  const batchSize = number('batch_size');
  // Recipe 1 did not scale lr with batch_size.
  const model = recipeVersion !== undefined && recipeVersion < 2 ? undefined : MODEL_NAMES.find((name) => name === resolved.model);
  // The step's lr, scaled by batch_size as the loop scales it (effectiveLr), when the model is stated.
  const cycle = {
    peakLr: lr !== undefined && batchSize !== undefined && model ? effectiveLr({ lr, batchSize, model: model as ModelName }) : lr,
    warmup: number('warmup'),
    startFactor: number('lr_start_factor'),
    endFactor: number('lr_end_factor'),
    momentum: number('momentum'),
    momentumCycle: number('momentum_cycle'),
  };
  return Object.values(cycle).every((v) => v !== undefined) ? (cycle as OneCycle) : undefined;
}

/**
 * How the chart's peak relates to the trial's lr, when the loop scales it by batch size: the card
 * and table show lr as searched, and a chart peaking at half of it, unexplained, read as a bug.
 * Undefined when the peak is the lr itself (batch_size at the model's reference, or recipe 1).
 */
export function lrScaleNote(resolved: NonNullable<Trial['resolved']>, recipeVersion?: number): string | undefined {
  const cycle = oneCycleOf(resolved, recipeVersion);
  const { lr, batch_size: batchSize, model } = resolved;
  if (!cycle || typeof lr !== 'number' || typeof batchSize !== 'number' || cycle.peakLr === lr) return undefined;
  const reference = lrReferenceBatch(model as ModelName);
  return `Its peak is lr ${formatValue(lr)} × batch_size ${batchSize} / ${reference} (${model}'s default batch size, at which lr is stated) = ${formatValue(cycle.peakLr)}.`;
}

/**
 * The steps of one epoch: as the trial reported them, or, before its first report, from the
 * synthetic set's train_size / batch_size as the loop computes them (a CIFAR-10 trial's training
 * count depends on its loaded pool, so it waits for the report).
 */
export function stepsPerEpochOf(trial: Pick<Trial, 'resolved' | 'progress'>): number | undefined {
  if (trial.progress) return trial.progress.stepsPerEpoch;
  const { data, train_size: trainSize, batch_size: batchSize } = trial.resolved ?? {};
  if (data !== 'synthetic' || typeof trainSize !== 'number' || typeof batchSize !== 'number' || batchSize <= 0) return undefined;
  return Math.floor(trainSize / batchSize);
}

/**
 * The learning rate and momentum of a trial's run, computed here with the loop's own `scheduleAt`
 * from the trial's resolved config: every step when there are at most `maxPoints`, else
 * `maxPoints` evenly spaced plus the steps on either side of the warm-up's peak, so the peak is
 * drawn where it is. Undefined before the trial has stated its hyperparameters, or when an epoch
 * has no step.
 */
export function schedulePlan(trial: Pick<Trial, 'resolved' | 'progress' | 'recipeVersion'>, maxPoints = 240): SchedulePlan | undefined {
  const cycle = trial.resolved && oneCycleOf(trial.resolved, trial.recipeVersion);
  const stepsPerEpoch = stepsPerEpochOf(trial);
  const epochs = trial.resolved?.epochs;
  // Fewer training images than one batch give no step at all: there is no schedule to draw.
  if (!cycle || stepsPerEpoch === undefined || stepsPerEpoch < 1 || typeof epochs !== 'number') return undefined;
  // As the training loop (src/lib/train/loop.ts) counts the steps of the whole run.
  const totalSteps = trial.progress?.totalSteps ?? Math.max(1, Math.round(epochs * stepsPerEpoch));
  const at = (step: number): SchedulePoint => ({ step, ...scheduleAt(step, totalSteps, cycle) });

  const steps = new Set<number>();
  if (totalSteps <= maxPoints) for (let s = 0; s < totalSteps; s++) steps.add(s);
  else {
    for (let i = 0; i < maxPoints; i++) steps.add(Math.round((i * (totalSteps - 1)) / (maxPoints - 1)));
    const peak = cycle.warmup * totalSteps - 0.5;
    for (const s of [Math.floor(peak), Math.ceil(peak)]) if (s >= 0 && s < totalSteps) steps.add(s);
  }
  const points = [...steps].sort((a, b) => a - b).map(at);
  const done = trial.progress?.step;
  return { totalSteps, stepsPerEpoch, points, reached: done === undefined || done < 1 ? undefined : at(Math.min(done, totalSteps) - 1) };
}
