import { isFinishedTrial, type Trial } from '../../lib/job';
import { statusCountsText } from '../state/trial-stats';

/**
 * Why a chart of the trials' `metric` values has nothing to draw, or undefined when it has
 * `marks`: no trial has finished yet, or every finished trial ended without a value (a job
 * whose trials all failed would otherwise show bare axes).
 */
export function noValuesNote(trials: readonly Pick<Trial, 'status' | 'objective'>[], metric: string, marks: number): string | undefined {
  if (marks > 0) return undefined;
  const finished = trials.filter((t) => isFinishedTrial(t.status));
  if (finished.length === 0) return 'No trial has finished yet.';
  return `No finished trial has a ${metric} value (${statusCountsText(finished)}).`;
}

/** The same for the learning curves, which draw a point per Epoch line of a trial's log. */
export function noCurvesNote(trials: readonly Pick<Trial, 'status' | 'epochs'>[], series: number): string | undefined {
  if (series > 0) return undefined;
  const finished = trials.filter((t) => isFinishedTrial(t.status));
  if (finished.length < trials.length || finished.length === 0) return 'No trial has finished an epoch yet.';
  return `No trial finished an epoch (${statusCountsText(finished)}).`;
}
