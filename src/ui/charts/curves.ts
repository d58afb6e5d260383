import type { Trial } from '../../lib/job';
import { markStatus, type MarkStatus } from './status';

export interface CurvePoint {
  epoch: number;
  value: number;
}

/** One trial's learning curve: a point per `Epoch` line it printed, so a stopped trial ends where it stopped. */
export interface CurveSeries {
  trial: Trial;
  status: MarkStatus;
  points: CurvePoint[];
}

/** Which values the curves plot: the objective metric, or the engine's validation accuracy. */
export type CurveSource = 'objective' | 'validation-accuracy';

/**
 * The learning curves of the trials, one rule for the whole chart so every curve shares one y
 * axis: the objective metric's values, epoch by epoch, when every trial that printed `Epoch` lines
 * has exactly one objective value per line (its regex reads the Epoch lines, as the default
 * metric does); otherwise (a metric read from other lines, or several per epoch) the engine's
 * own validation accuracy from each Epoch line, and the chart says so.
 */
export function learningCurves(trials: readonly Trial[], metric: string): { source: CurveSource; series: CurveSeries[] } {
  const withEpochs = trials.filter((t) => t.epochs.length > 0);
  const source: CurveSource = withEpochs.every((t) => t.metrics[metric]?.length === t.epochs.length) ? 'objective' : 'validation-accuracy';
  const series = withEpochs.flatMap((trial) => {
    const status = markStatus(trial);
    if (!status) return [];
    const values = source === 'objective' ? trial.metrics[metric] : trial.epochs.map((e) => e.valAccuracy);
    return [{ trial, status, points: trial.epochs.map((e, i) => ({ epoch: e.epoch, value: values[i] })) }];
  });
  return { source, series };
}
