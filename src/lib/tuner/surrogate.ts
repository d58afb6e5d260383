import type { Rng } from '../rng';
import type { EncodingLayout } from '../space';
import { fitHyperparameters, type KernelFamily } from './fit';
import { GpPosterior, type GpData, type Theta } from './gp';
import type { Goal } from './types';
import { fitOutputWarp, type OutputWarp } from './warp';

/**
 * How the GP models a set of observations: the data it is fitted to and the MAP fit that
 * follows them as they grow. The Bayesian strategy and the display belief (`belief.ts`) both
 * build their model here, so what the page shows is the model the strategy searches with.
 */

/** One observation in feature space, its value oriented for minimization (see `orientation`). */
export interface SurrogateObservation {
  features: Float64Array;
  value: number;
}

/** +1 for a minimized metric, −1 for a maximized one: the GP always models a value to minimize. */
export function orientation(goal: Goal): 1 | -1 {
  return goal === 'maximize' ? -1 : 1;
}

/** Size of the random subset a first fit on many observations starts from. */
const COLD_SUBSET = 100;

/**
 * The GP's training data for `observations`: features stacked row-major, outputs standardized
 * and power-transformed (docs/TUNER.md, Outputs), with the warp that maps the GP's outputs back.
 */
export function surrogateData(
  layout: EncodingLayout,
  observations: readonly SurrogateObservation[],
  options: { powerTransform?: boolean } = {},
): { data: GpData; warp: OutputWarp } {
  const n = observations.length;
  const dims = layout.width;
  const x = new Float64Array(n * dims);
  observations.forEach((o, i) => x.set(o.features, i * dims));
  const warp = fitOutputWarp(
    observations.map((o) => o.value),
    { powerTransform: options.powerTransform },
  );
  return { data: { x, y: warp.values, n, dims, groupOf: layout.blockOf, groups: layout.blocks.length }, warp };
}

/**
 * Whether the hyperparameters are due for a refit at n observations, the last fit having seen
 * `fittedSize`. Below 100 points, at every new observation; from there, every ⌊n/50⌋ new
 * observations (2 at 100, 6 at 300). A refit costs O(n³) per likelihood evaluation and moves
 * the hyperparameters little once n is large; between refits the posterior is only extended
 * (O(n²) per point), so the amortized cost per observation stays near O(n²).
 */
export function refitDue(n: number, fittedSize: number): boolean {
  return n < fittedSize || n - fittedSize >= Math.max(1, Math.floor(n / 50));
}

/** Starts and iterations of a fit with no previous one to refine, by number of points. */
function coldSchedule(n: number): { randomStarts: number; maxIterations: number } {
  return n < 30 ? { randomStarts: 3, maxIterations: 60 } : { randomStarts: 1, maxIterations: 40 };
}

/** `size` of the points of `data`, drawn without replacement, in their original order. */
function subsetData(data: GpData, size: number, rng: Rng): GpData {
  const indices = Array.from({ length: data.n }, (_, i) => i);
  for (let i = 0; i < size; i++) {
    const j = i + rng.int(data.n - i);
    [indices[i], indices[j]] = [indices[j], indices[i]];
  }
  const chosen = indices.slice(0, size).sort((a, b) => a - b);
  const x = new Float64Array(size * data.dims);
  chosen.forEach((index, i) => x.set(data.x.subarray(index * data.dims, (index + 1) * data.dims), i * data.dims));
  // The outputs stay standardized over all points, as the full fit sees them.
  return { ...data, x, y: Float64Array.from(chosen, (index) => data.y[index]), n: size };
}

/**
 * The GP posterior on data that grow by appended observations, fitted the way the strategy
 * fits it: MAP hyperparameters refitted on the schedule of `refitDue`, warm-started from the
 * previous fit, and in between the last posterior extended by the new rows. Holds that history,
 * so each sequence of fits needs its own fitter.
 */
export class SurrogateFitter {
  private theta: Theta | null = null;
  /** Number of observations at the last hyperparameter fit. */
  private fittedSize = 0;
  /** Posterior on the data of the last call, extended between refits. */
  private posterior: GpPosterior | null = null;
  private fits = 0;

  /** `family`: the kernel and priors, when not the Bayesian strategy's (Hyperband's GP). */
  constructor(
    private readonly rng: Rng,
    private readonly family?: KernelFamily,
  ) {}

  /** The posterior on `data`, or null if its kernel matrix cannot be factored even with jitter. */
  fit(data: GpData): GpPosterior | null {
    const n = data.n;
    // Between hyperparameter refits (see refitDue) the last posterior is extended by the new
    // observations: O(n²) per point instead of an O(n³) likelihood evaluation per L-BFGS step.
    // `extend` declines (null) data that do not start with the old points, and a refit follows.
    let posterior = this.posterior && !refitDue(n, this.fittedSize) ? this.posterior.extend(data) : null;
    if (!posterior) {
      const theta = this.fitTheta(data);
      posterior = GpPosterior.fit(data, theta, this.family?.covariance?.(data, theta));
      if (!posterior) return null;
      this.theta = theta;
      this.fittedSize = n;
    }
    this.posterior = posterior;
    return posterior;
  }

  /**
   * MAP hyperparameters. Refits get cheaper as data grow: a few new points barely move the
   * optimum, so from 60 points on the previous fit is refined briefly, with a fresh start from
   * the prior every eighth fit in case the likelihood's best mode has moved elsewhere. With no
   * previous fit and many points (warm-start observations told before the first ask), a full
   * fit on a random subset of COLD_SUBSET points gives the start that the refinement needs.
   */
  private fitTheta(data: GpData): Theta {
    const n = data.n;
    let previous = this.theta;
    if (previous === null && n > COLD_SUBSET) {
      const subset = subsetData(data, COLD_SUBSET, this.rng);
      previous = fitHyperparameters(subset, { rng: this.rng, fromPrior: true, family: this.family, ...coldSchedule(COLD_SUBSET) });
    }
    this.fits++;
    const warm = previous !== null && n >= 60;
    return fitHyperparameters(data, {
      rng: this.rng,
      family: this.family,
      previous: previous ?? undefined,
      fromPrior: !warm || this.fits % 8 === 0,
      ...(warm ? { randomStarts: 0, maxIterations: 15 } : coldSchedule(n)),
    });
  }
}
