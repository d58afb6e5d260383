import type { Rng } from '../rng';
import { fromUnit, toUnit, type EncodingLayout } from '../space';
import { scrambledHalton } from './design';
import type { GpPosterior } from './gp';
import { matern52 } from './kernel';
import { choleskyWithJitter, dot } from './linalg';

/**
 * A trust region for the local search under noise (docs/TUNER.md, Noise): a box in feature
 * space around the recommended configuration, whose side grows after proposals that the model
 * judges better than the centre and shrinks after ones it does not (TuRBO, Eriksson et al.
 * 2019). Judged by the posterior mean, not by the single noisy draw, and never narrower than
 * a step whose change in the function the model expects to stand out of the noise.
 */

/** A box in feature space: lower[i] ≤ x[i] ≤ upper[i]; a categorical's features are fixed (lower = upper). */
export interface FeatureBox {
  lower: Float64Array;
  upper: Float64Array;
}

/** TuRBO's initial side (in lengthscale-weighted unit features) and its bounds. */
const INITIAL_SIDE = 0.8;
const MAX_SIDE = 1.6;

export interface TrustRegionOptions {
  /** Successes in a row that double the side. */
  successTolerance?: number;
  /** Failures in a row that halve it. */
  failureTolerance?: number;
  /**
   * How many noise σ of a difference between two runs a step to the box's edge should change
   * the function by, as the model's prior expects it (see `minimumStep`).
   */
  kappa?: number;
  /**
   * Propose only points at least that step from the centre (scaled by the lengthscales), not
   * anywhere in the box: a point nearer differs from the centre by less than the noise.
   */
  shell?: boolean;
}

export class TrustRegion {
  private side = INITIAL_SIDE;
  private successes = 0;
  private failures = 0;
  private readonly successTolerance: number;
  private readonly failureTolerance: number;
  readonly kappa: number;
  readonly shell: boolean;

  constructor(parameters: number, options: TrustRegionOptions = {}) {
    // The budgets here are tens of trials, not TuRBO's thousands: fewer judgements per change.
    this.successTolerance = options.successTolerance ?? 2;
    this.failureTolerance = options.failureTolerance ?? Math.max(3, Math.ceil(parameters / 2));
    // 3 did best of 1 to 4 on the noisy bench (docs/PERFORMANCE.md, "A local search under noise").
    this.kappa = options.kappa ?? 3;
    this.shell = options.shell ?? false;
    for (const [name, value] of [
      ['successTolerance', this.successTolerance],
      ['failureTolerance', this.failureTolerance],
    ] as const) {
      if (!(Number.isInteger(value) && value >= 1)) throw new Error(`trust region ${name} must be a whole number of at least 1, got ${value}.`);
    }
    // An infinite κ would ask for a step no noise can show: the local search would never run, silently.
    if (!(this.kappa >= 0 && Number.isFinite(this.kappa))) throw new Error(`kappa must be a finite number of at least 0, got ${this.kappa}.`);
  }

  /** The side before lengthscale weighting and the noise floor. */
  get baseSide(): number {
    return this.side;
  }

  /** A judged proposal: better than the centre by the posterior mean, or not. */
  record(success: boolean): void {
    if (success) {
      this.successes++;
      this.failures = 0;
      if (this.successes >= this.successTolerance) {
        this.side = Math.min(MAX_SIDE, 2 * this.side);
        this.successes = 0;
      }
    } else {
      this.failures++;
      this.successes = 0;
      if (this.failures >= this.failureTolerance) {
        // No restart at a least side as in TuRBO: the noise floor (box) keeps steps visible.
        this.side /= 2;
        this.failures = 0;
      }
    }
  }

  /**
   * The box around `center` (features): each numeric parameter's half-width is the side times
   * its lengthscale over the lengthscales' geometric mean, halved (TuRBO's weighting), but at
   * least its lengthscale times `minimumStep`, and clipped to [0, 1]. Categoricals are fixed
   * at the centre's values: the search is local in the numbers within one branch.
   */
  box(layout: EncodingLayout, center: Float64Array, posterior: Pick<GpPosterior, 'theta' | 'signal' | 'noise'>): FeatureBox {
    const numeric = layout.blocks.map((block, b) => ({ block, b })).filter(({ block }) => block.kind !== 'categorical');
    const lengthscales = numeric.map(({ b }) => Math.exp(posterior.theta[b]));
    const geometric = Math.exp(lengthscales.reduce((s, l) => s + Math.log(l), 0) / Math.max(1, lengthscales.length));
    const step = minimumStep(posterior.signal, posterior.noise, this.kappa);
    const lower = Float64Array.from(center);
    const upper = Float64Array.from(center);
    numeric.forEach(({ block }, i) => {
      const half = Math.max((this.side * lengthscales[i]) / geometric / 2, step * lengthscales[i]);
      lower[block.offset] = Math.max(0, center[block.offset] - half);
      upper[block.offset] = Math.min(1, center[block.offset] + half);
    });
    return { lower, upper };
  }
}

/**
 * Whether `x` lies nearer `center` than the noise step, in the kernel's scaled distance over the
 * numeric parameters (categoricals are fixed in the box).
 */
export function withinStep(layout: EncodingLayout, center: Float64Array, posterior: Pick<GpPosterior, 'theta' | 'signal' | 'noise'>, kappa: number): (x: Float64Array) => boolean {
  const step = minimumStep(posterior.signal, posterior.noise, kappa);
  return (x) => {
    let r2 = 0;
    layout.blocks.forEach((block, b) => {
      if (block.kind !== 'categorical') r2 += ((x[block.offset] - center[block.offset]) / Math.exp(posterior.theta[b])) ** 2;
    });
    return r2 < step * step;
  };
}

/**
 * The scaled distance r (distance over lengthscale) at which the prior expects two points'
 * latent values to differ by `kappa` times the σ of the difference of two noisy runs:
 * Var(f(x) − f(x′)) = 2 σ_f² (1 − k(r)) = kappa² · 2 σ_n². Infinity when the noise is so
 * large that no distance gets there (the box is then the whole range).
 */
export function minimumStep(signal: number, noise: number, kappa: number): number {
  const target = (kappa * kappa * noise) / signal;
  if (!(target < 1)) return Infinity;
  if (target <= 0) return 0;
  let low = 0;
  let high = 1;
  while (1 - matern52(high) < target) high *= 2;
  for (let i = 0; i < 50; i++) {
    const mid = (low + high) / 2;
    if (1 - matern52(mid) < target) low = mid;
    else high = mid;
  }
  return high;
}

/** Whether `x` lies in `box` (to rounding). */
export function insideBox(box: FeatureBox, x: ArrayLike<number>): boolean {
  for (let i = 0; i < box.lower.length; i++) if (x[i] < box.lower[i] - 1e-12 || x[i] > box.upper[i] + 1e-12) return false;
  return true;
}

/**
 * The encodable point of `box` at `unit` (one coordinate per parameter, in [0, 1]): numeric
 * features spread linearly over the box's side; a categorical, fixed by the box, as it is there.
 */
export function pointInBox(layout: EncodingLayout, box: FeatureBox, unit: ArrayLike<number>): Float64Array {
  const x = Float64Array.from(box.lower);
  layout.blocks.forEach((block, b) => {
    if (block.kind !== 'categorical') x[block.offset] = box.lower[block.offset] + unit[b] * (box.upper[block.offset] - box.lower[block.offset]);
  });
  return projectIntoBox(layout, box, x);
}

/**
 * `x` moved onto the nearest encodable point inside `box`, in place: numbers clamped into it
 * (an integer rounded to a value inside when the box holds one, else to the value at the
 * box's centre), categoricals set to the box's.
 */
export function projectIntoBox(layout: EncodingLayout, box: FeatureBox, x: Float64Array): Float64Array {
  for (const block of layout.blocks) {
    const o = block.offset;
    if (block.kind === 'categorical') {
      for (let k = 0; k < block.width; k++) x[o + k] = box.lower[o + k];
      continue;
    }
    x[o] = Math.min(box.upper[o], Math.max(box.lower[o], x[o]));
    if (block.kind === 'integer') {
      const unitOf = (v: number) => toUnit(v, block.min, block.max, block.scale);
      const inside = (v: number) => v >= block.min && v <= block.max && unitOf(v) >= box.lower[o] - 1e-12 && unitOf(v) <= box.upper[o] + 1e-12;
      const nearest = (u: number) => Math.min(block.max, Math.max(block.min, Math.round(fromUnit(u, block.min, block.max, block.scale))));
      const value = nearest(x[o]);
      x[o] = unitOf([value, value + 1, value - 1].find(inside) ?? nearest((box.lower[o] + box.upper[o]) / 2));
    }
  }
  return x;
}

/**
 * TuRBO's acquisition: one joint draw of the latent function at `count` points spread over
 * the box, and the point where that draw is least (null if every point is taken). Unlike EI,
 * which under noise follows the model's mean wherever it leads, a draw puts proposals where
 * the optimum may be in proportion to how likely the model finds it, so directions the mean
 * wrongly disfavours are still tried.
 */
export function thompsonInBox(
  layout: EncodingLayout,
  box: FeatureBox,
  posterior: Pick<GpPosterior, 'jointLatent'>,
  count: number,
  rng: Rng,
  isTaken: (features: Float64Array) => boolean,
): Float64Array | null {
  const seen = new Set<string>();
  const points: Float64Array[] = [];
  for (const unit of scrambledHalton(count, layout.blocks.length, rng)) {
    const x = pointInBox(layout, box, unit);
    const key = x.join(',');
    if (seen.has(key) || isTaken(x)) continue;
    seen.add(key);
    points.push(x);
  }
  const m = points.length;
  if (m === 0) return null;
  const stacked = new Float64Array(m * layout.width);
  points.forEach((x, i) => stacked.set(x, i * layout.width));
  const { mean, cov } = posterior.jointLatent(stacked, m);
  const factored = choleskyWithJitter(cov, m);
  if (!factored) return null;
  const z = Float64Array.from({ length: m }, () => rng.normal());
  let best = 0;
  let bestValue = Infinity;
  for (let i = 0; i < m; i++) {
    const draw = mean[i] + dot(factored.l, i * m, z, 0, i + 1);
    if (draw < bestValue) {
      bestValue = draw;
      best = i;
    }
  }
  return points[best];
}
