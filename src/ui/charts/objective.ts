import type { Trial } from '../../lib/job';
import type { CategoryValue, Parameter } from '../../lib/space';
import type { SlicePoint, StrategyName } from '../../lib/tuner';
import { objectivePoints } from './timeline';
import type { MarkStatus } from './status';

/** A finished trial's point in an objective-vs-parameter chart. */
export interface ParameterPoint {
  trial: Trial;
  value: CategoryValue;
  objective: number;
  status: MarkStatus;
}

/** The same trials as the timeline's objective points, at their value of `name`. */
export function parameterPoints(trials: readonly Trial[], name: string): ParameterPoint[] {
  return objectivePoints(trials).flatMap(({ trial, value, status }) => {
    const x = trial.params[name];
    return x === undefined ? [] : [{ trial, value: x, objective: value, status }];
  });
}

/**
 * How the GP's line joins its points: an integer hyperparameter is only ever evaluated at whole
 * numbers (the slice walks integers), so each integer holds its value up to the midpoints
 * between neighbours (a step) instead of a line suggesting values in between.
 */
export function sliceCurve(param: Parameter): 'step' | 'linear' {
  return param.type === 'integer' ? 'step' : 'linear';
}

/** The slice's finite points; for an integer parameter, only those at whole numbers. */
export function slicePoints(param: Parameter, slice: readonly SlicePoint[]): SlicePoint[] {
  return slice.filter((p) => Number.isFinite(p.mean) && (param.type !== 'integer' || Number.isInteger(p.value)));
}

/**
 * The objective values the y axis must show: the trials' and the GP's mean, and the band's edges
 * only as far as one more span of those on either side, so that a band that is ±Infinity, or
 * very wide where the model knows nothing, does not squash the points (it is clipped instead).
 */
export function sliceExtent(objectives: readonly number[], slice: readonly SlicePoint[]): number[] {
  const core = [...objectives, ...slice.map((p) => p.mean)].filter(Number.isFinite);
  if (core.length === 0) return [];
  const lo = Math.min(...core);
  const hi = Math.max(...core);
  const span = Math.max(hi - lo, Math.abs(hi) * 0.05, 1e-9);
  const edges = slice.flatMap((p) => [p.lower, p.upper]).map((e) => Math.min(hi + span, Math.max(lo - span, e))).filter(Number.isFinite);
  return [...core, ...edges];
}

/**
 * The line under a chart that says what its line and band are, or why there is none. A job
 * warm-started from earlier trials fits its GP to them too, though only this job's trials are
 * drawn: a curve high where no point is read as wrong until the note said why.
 */
export function beliefNote(name: string, strategy: StrategyName, bestTrialNumber: number | undefined, hasSlice: boolean, warmStarted = 0, ended = false): string {
  // Hyperband does fit a GP (over configuration and epochs), but it is not drawn here.
  if (strategy === 'hyperband') return "Hyperband's model of configuration and epochs is not drawn here: the points are the trials, at every rung's epochs.";
  if (strategy !== 'bayesian') return `No model is fitted for ${strategy} search: the points are the trials.`;
  if (!hasSlice || bestTrialNumber === undefined) {
    // A job that ended short of 2 results (max jobs 1, or failures) will never show one: "appears once" would promise it.
    return ended ? 'No GP was fitted: the job ended with fewer than 2 completed trials.' : "The GP's belief appears once 2 trials have completed.";
  }
  const earlier = warmStarted > 0 ? ` It is also fitted to the ${warmStarted} warm-start trial${warmStarted === 1 ? '' : 's'} of earlier jobs, which are not drawn.` : '';
  return `Line and band: the GP's mean ± 1σ of the latent objective along ${name}, the other hyperparameters at trial ${bestTrialNumber}'s values; band edges are mapped through the output warp, so they may be asymmetric.${earlier}`;
}
