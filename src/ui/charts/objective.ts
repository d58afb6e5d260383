import type { Trial } from '../../lib/job';
import { resolveScale, type CategoryValue, type Parameter } from '../../lib/space';
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

/** Whether the page draws a strategy's model along each hyperparameter: Hyperband's at the full budget. */
export function drawsModel(strategy: StrategyName): boolean {
  return strategy === 'bayesian' || strategy === 'hyperband';
}

/**
 * Under Hyperband, whether a point is a run shorter than the full budget (drawn faint where the
 * line is the model at the full budget). Never on the epochs chart, whose axis shows the budget.
 */
export function shortRun(trial: Pick<Trial, 'params'>, name: string, fullEpochs: number | undefined): boolean {
  return fullEpochs !== undefined && name !== 'epochs' && Number(trial.params.epochs) < fullEpochs;
}

/**
 * The parameter as the chart's axis shows it. Under Hyperband the epochs axis spans the rungs'
 * budgets, not the searched range: Hyperband trains only at its rungs (2–30 epochs gives rungs
 * 3, 10 and 30) and its model is defined from the lowest rung to the full budget, so an axis from
 * 2 had the line start short of its left end with nothing to say why. A trial outside the rungs
 * (hyperparameters a user added) widens it to show that trial. The scale stays the one the
 * searched range resolves to, so an `auto` range does not turn from log to linear.
 */
export function axisParameter(name: string, param: Parameter, rungs: readonly number[], values: readonly number[] = []): Parameter {
  if (name !== 'epochs' || rungs.length === 0 || param.type === 'categorical') return param;
  const finite = values.filter(Number.isFinite);
  return { ...param, min: Math.min(rungs[0], ...finite), max: Math.max(rungs[rungs.length - 1], ...finite), scale: resolveScale(param) };
}

export interface BeliefNoteContext {
  /** Warm-start trials of earlier jobs the model is also fitted to (not drawn). */
  warmStarted?: number;
  /** The job has ended: a belief missing now will not come. */
  ended?: boolean;
  /** A shown job's trials are being told to its tuner: the belief is on its way. */
  fitting?: boolean;
  /** Under Hyperband, its rungs' budgets in epochs, ascending: the line is the model at the last, the full budget. */
  rungs?: readonly number[];
}

/**
 * The line under a chart that says what its line and band are, or why there is none. A job
 * warm-started from earlier trials fits its GP to them too, though only this job's trials are
 * drawn: a curve high where no point is read as wrong until the note said why. Under Hyperband
 * the line is the joint GP at the full budget while the points are runs of every rung, which
 * a reader would otherwise compare as equals.
 */
export function beliefNote(name: string, strategy: StrategyName, bestTrialNumber: number | undefined, hasSlice: boolean, context: BeliefNoteContext = {}): string {
  const { warmStarted = 0, ended = false, fitting = false, rungs = [] } = context;
  const fullEpochs = rungs.at(-1);
  if (!drawsModel(strategy)) return `No model is fitted for ${strategy} search: the points are the trials.`;
  if (!hasSlice || bestTrialNumber === undefined) {
    // A job that ended short of 2 results (max jobs 1, or failures) will never show one: "appears once" would promise it.
    if (fitting) return 'Fitting the GP to these trials…';
    return ended ? 'No GP was fitted: the job ended with fewer than 2 completed trials.' : "The GP's belief appears once 2 trials have completed.";
  }
  const earlier = warmStarted > 0 ? ` It is also fitted to the ${warmStarted} warm-start trial${warmStarted === 1 ? '' : 's'} of earlier jobs, which are not drawn.` : '';
  const warp = 'band edges are mapped through the output warp, so they may be asymmetric.';
  if (strategy === 'hyperband') {
    const budget = fullEpochs === undefined ? 'the full budget' : `the full budget (${fullEpochs} epoch${fullEpochs === 1 ? '' : 's'})`;
    if (name === 'epochs') {
      const span = rungs.length > 1 ? `, from the lowest rung to the full budget (${rungs[0]}–${fullEpochs} epochs: Hyperband trains at ${rungs.slice(0, -1).join(', ')} and ${fullEpochs} only, and the axis spans them)` : '';
      return `Line and band: Hyperband's GP of configuration and epochs, mean ± 1σ of the latent objective along the budget for trial ${bestTrialNumber}'s configuration${span}; the points are the trials at their rung's epochs; ${warp}${earlier}`;
    }
    return `Line and band: Hyperband's GP of configuration and epochs at ${budget}, mean ± 1σ of the latent objective along ${name}, the other hyperparameters at trial ${bestTrialNumber}'s values; ${warp} The points are the trials at every rung's epochs, the shorter runs faint.${earlier}`;
  }
  return `Line and band: the GP's mean ± 1σ of the latent objective along ${name}, the other hyperparameters at trial ${bestTrialNumber}'s values; ${warp}${earlier}`;
}
