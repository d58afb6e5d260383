import { createRng } from '../rng';
import { assertParams, encodeParams, encodingLayout, fromUnit, type CategoryValue, type EncodedBlock, type EncodingLayout, type Params, type ResolvedScale, type SearchSpace } from '../space';
import type { GpPosterior } from './gp';
import { gridAxes } from './grid';
import { lengthscaleImportance, type Importance, type LengthscaleImportance } from './importance';
import { orientation, surrogateData, SurrogateFitter } from './surrogate';
import type { Goal } from './types';
import type { OutputWarp } from './warp';

/** A completed trial as the page knows it: its parameters and the objective's value. */
export interface BeliefObservation {
  params: Params;
  value: number;
}

/**
 * The GP's belief at one value of a hyperparameter, in the objective's own units. `mean` is the
 * latent posterior mean μ mapped back through the output warp; [lower, upper] is [μ − σ, μ + σ]
 * of the latent function (no observation noise: the band says how sure the model is of the
 * objective's expected value there, not where one noisy run would land) mapped back the same
 * way. The warp is nonlinear, so the band may be asymmetric around `mean` (and `mean` is the
 * warped distribution's median rather than its mean); where the band reaches beyond what the
 * warp can invert, an edge is ±Infinity. For a maximized metric the edges are in the metric's
 * own direction too: lower ≤ mean ≤ upper always.
 */
export interface SlicePoint {
  value: CategoryValue;
  mean: number;
  lower: number;
  upper: number;
}

/** Points along a continuous parameter when the caller does not say. */
export const DEFAULT_SLICE_POINTS = 60;
/** The most points one slice computes (each costs one O(n²) prediction). */
export const MAX_SLICE_POINTS = 1000;

export interface BeliefOptions {
  /** Seeds the fit's random restarts when no `fitter` is given (default 0). */
  seed?: number;
  /** Yeo-Johnson transform of the outputs, as the strategy's option (default on). */
  powerTransform?: boolean;
  /**
   * A fitter that fitted this sequence's earlier beliefs, so this fit warm-starts from the last
   * one, as the strategy's do. Each call must pass the earlier observations first, in order.
   */
  fitter?: SurrogateFitter;
}

/**
 * The GP fitted to completed trials exactly as the Bayesian strategy models them (same
 * encoding, output warp, orientation and MAP fit: `surrogate.ts`), for showing what the model
 * believes. Null if the kernel matrix cannot be factored even with jitter. Needs at least 2
 * observations, each with a finite value and params in the space.
 */
export function fitBelief(space: SearchSpace, goal: Goal, observations: readonly BeliefObservation[], options: BeliefOptions = {}): Belief | null {
  if (observations.length < 2) throw new RangeError(`A belief needs at least 2 observations, got ${observations.length}.`);
  const layout = encodingLayout(space);
  const sign = orientation(goal);
  const oriented = observations.map(({ params, value }) => {
    if (!Number.isFinite(value)) throw new RangeError(`Observation values must be finite, got ${value}.`);
    assertParams(space, params);
    return { features: encodeParams(layout, params), value: sign * value };
  });
  const { data, warp } = surrogateData(layout, oriented, { powerTransform: options.powerTransform });
  const fitter = options.fitter ?? new SurrogateFitter(createRng(options.seed ?? 0));
  const posterior = fitter.fit(data);
  return posterior ? new Belief(space, goal, layout, posterior, warp, observations.length) : null;
}

/** A fitted display model; see `fitBelief`. */
export class Belief {
  constructor(
    readonly space: SearchSpace,
    readonly goal: Goal,
    readonly layout: EncodingLayout,
    /** The latent GP, on outputs oriented for minimization and warped. */
    readonly posterior: GpPosterior,
    /** The output warp the GP was fitted under, to map its values back. */
    readonly warp: OutputWarp,
    /** Number of observations fitted. */
    readonly observations: number,
  ) {}

  /**
   * The posterior along `name` with every other parameter held at its value in `at`: for a
   * continuous parameter `points` values evenly spaced in its scale, ends included; for an
   * integer every integer when there are at most `points`, else up to `points` evenly spaced
   * in its scale (rounded, duplicates dropped); for a categorical one entry per category, in
   * the space's order. See `SlicePoint` for what each entry holds.
   */
  slice(name: string, at: Params, points = DEFAULT_SLICE_POINTS): SlicePoint[] {
    const values = sliceValues(this.space, this.layout, name, at, points);
    const sign = orientation(this.goal);
    const features = new Float64Array(this.layout.width);
    return values.map((value) => {
      encodeParams(this.layout, { ...at, [name]: value }, features);
      const { mean, variance } = this.posterior.predict(features);
      const sd = Math.sqrt(variance);
      // The warp is increasing, so the band's edges map to edges; orienting a maximized metric
      // back (negating) swaps them.
      const low = sign * this.warp.inverse(mean - sd);
      const middle = sign * this.warp.inverse(mean);
      const high = sign * this.warp.inverse(mean + sd);
      return { value, mean: middle, lower: Math.min(low, high), upper: Math.max(low, high) };
    });
  }

  /** One entry per searched hyperparameter, in the space's order: see `lengthscaleImportance`. */
  importance(): LengthscaleImportance[] {
    return lengthscaleImportance(this.layout, this.posterior.theta);
  }

  /** Which hyperparameters matter by this model, with the method, as the page shows it; null when it cannot say. */
  ranked(): Importance | null {
    return { method: 'lengthscales', parameters: this.importance(), results: this.observations };
  }
}

/**
 * The values a slice along `name` visits (see `Belief.slice`), after checking the request:
 * throws for a parameter not in the space, a count of points that is not an integer in
 * [2, MAX_SLICE_POINTS], or an `at` that is not a point of the space (its value of `name`
 * aside, which may be missing).
 */
export function sliceValues(space: SearchSpace, layout: EncodingLayout, name: string, at: Params, points: number): CategoryValue[] {
  const block = layout.blocks.find((b) => b.name === name);
  if (!block) throw new RangeError(`"${name}" is not a parameter of the space.`);
  if (!Number.isInteger(points) || points < 2 || points > MAX_SLICE_POINTS) {
    throw new RangeError(`A slice takes 2 to ${MAX_SLICE_POINTS} points, got ${points}.`);
  }
  let values: CategoryValue[];
  if (block.kind === 'integer' && block.max - block.min + 1 > points) {
    values = spacedIntegers(block.min, block.max, block.scale, points);
  } else {
    // Evenly spaced in the scale with exact ends, every integer, every category: the grid's axis.
    const axis = gridAxes({ [name]: parameterOf(block) }, points)[0];
    values = Array.from({ length: axis.count }, (_, i) => axis.valueAt(i));
  }
  assertParams(space, { ...at, [name]: values[0] });
  return values;
}

function spacedIntegers(min: number, max: number, scale: ResolvedScale, points: number): number[] {
  const values: number[] = [];
  for (let i = 0; i < points; i++) {
    // `+ 0` turns a -0 from rounding into 0, as decoding does.
    const value = Math.round(fromUnit(i / (points - 1), min, max, scale)) + 0;
    if (values.length === 0 || value > values[values.length - 1]) values.push(value);
  }
  return values;
}

/** The parameter a block encodes, with its scale as the encoding resolved it. */
function parameterOf(block: EncodedBlock) {
  return block.kind === 'categorical'
    ? { type: 'categorical' as const, values: block.values }
    : { type: block.kind, min: block.min, max: block.max, scale: block.scale };
}
