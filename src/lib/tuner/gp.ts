import { choleskyWithJitter, dot, extendCholesky, inverseFromCholesky, solveLower, solveUpper } from './linalg';
import { matern52, matern52LengthscaleFactor, scaledDistance2 } from './kernel';

/**
 * Training data for the surrogate, in feature space. `y` is already oriented for minimization
 * and standardized, so the GP has a zero prior mean.
 */
export interface GpData {
  x: Float64Array;
  y: Float64Array;
  n: number;
  dims: number;
  /** Feature index to lengthscale group (one group per parameter). */
  groupOf: Int32Array;
  groups: number;
}

/**
 * Hyperparameters, all on a log scale so they can be optimized unconstrained:
 * [log ℓ per group…, log signal variance, log noise variance].
 */
export type Theta = Float64Array;

export const signalIndex = (data: GpData): number => data.groups;
export const noiseIndex = (data: GpData): number => data.groups + 1;

export function featureWeights(theta: Theta, data: GpData): Float64Array {
  const w = new Float64Array(data.dims);
  for (let d = 0; d < data.dims; d++) w[d] = Math.exp(-2 * theta[data.groupOf[d]]);
  return w;
}

/**
 * Per pair of training points, each group's unscaled squared distance. Lengthscales only
 * rescale these, so the likelihood can be evaluated many times during a fit in O(n² · groups).
 */
export function pairGroupDistances(data: GpData): Float64Array {
  const { n, dims, groups, x, groupOf } = data;
  const out = new Float64Array(((n * (n - 1)) / 2) * groups);
  let p = 0;
  for (let i = 1; i < n; i++) {
    for (let j = 0; j < i; j++, p += groups) {
      for (let d = 0; d < dims; d++) {
        const diff = x[i * dims + d] - x[j * dims + d];
        out[p + groupOf[d]] += diff * diff;
      }
    }
  }
  return out;
}

/**
 * log N(y; 0, K) for an n×n covariance K (noise included), with the factor L and α = K⁻¹y that
 * the gradient needs; null when K cannot be factored even with jitter. Every kernel's
 * likelihood ends here.
 */
export function gaussianLogLikelihood(k: Float64Array, n: number, y: Float64Array): { value: number; l: Float64Array; alpha: Float64Array } | null {
  const factored = choleskyWithJitter(k, n);
  if (!factored) return null;
  const { l } = factored;
  const alpha = solveUpper(l, n, solveLower(l, n, Float64Array.from(y)));
  let fit = 0;
  let logDet = 0;
  for (let i = 0; i < n; i++) {
    fit += y[i] * alpha[i];
    logDet += Math.log(l[i * n + i]);
  }
  return { value: -0.5 * fit - logDet - 0.5 * n * Math.log(2 * Math.PI), l, alpha };
}

/**
 * Log marginal likelihood log p(y | θ) and, into `grad`, its gradient with respect to θ:
 * ½ tr((ααᵀ − K⁻¹) ∂K/∂θ). Returns -Infinity when K cannot be factored.
 */
export function logMarginalLikelihood(theta: Theta, data: GpData, pairs: Float64Array, grad?: Float64Array): number {
  const { n, groups } = data;
  const signal = Math.exp(theta[groups]);
  const noise = Math.exp(theta[groups + 1]);
  const inv2 = new Float64Array(groups);
  for (let g = 0; g < groups; g++) inv2[g] = Math.exp(-2 * theta[g]);

  const k = new Float64Array(n * n);
  // Scaled distance per pair, kept for the gradient.
  const dist = grad ? new Float64Array((n * (n - 1)) / 2) : null;
  for (let i = 0; i < n; i++) k[i * n + i] = signal + noise;
  for (let i = 1, p = 0, q = 0; i < n; i++) {
    for (let j = 0; j < i; j++, p += groups, q++) {
      let r2 = 0;
      for (let g = 0; g < groups; g++) r2 += pairs[p + g] * inv2[g];
      const r = Math.sqrt(r2);
      if (dist) dist[q] = r;
      const v = signal * matern52(r);
      k[i * n + j] = v;
      k[j * n + i] = v;
    }
  }
  const gaussian = gaussianLogLikelihood(k, n, data.y);
  if (!gaussian) return -Infinity;
  const { value, l, alpha } = gaussian;
  if (!grad || !dist) return value;

  const kinv = inverseFromCholesky(l, n);
  grad.fill(0);
  let traceW = 0;
  for (let i = 0; i < n; i++) {
    const w = alpha[i] * alpha[i] - kinv[i * n + i];
    traceW += w;
    grad[groups] += 0.5 * w * signal;
  }
  grad[groups + 1] = 0.5 * traceW * noise;
  for (let i = 1, p = 0, q = 0; i < n; i++) {
    for (let j = 0; j < i; j++, p += groups, q++) {
      // Each off-diagonal pair appears twice in the trace: the ½ cancels.
      const w = alpha[i] * alpha[j] - kinv[i * n + j];
      grad[groups] += w * k[i * n + j];
      const factor = w * signal * matern52LengthscaleFactor(dist[q]);
      for (let g = 0; g < groups; g++) grad[g] += factor * pairs[p + g] * inv2[g];
    }
  }
  return value;
}

/**
 * A prior covariance other than the Matérn ARD one `theta` describes (the learning-curve kernel,
 * `curve-kernel.ts`): the latent function's covariance between two feature vectors, its variance
 * at one, and the noise variance.
 */
export interface Covariance {
  readonly noise: number;
  between(a: Float64Array, aOffset: number, b: Float64Array, bOffset: number): number;
  at(x: Float64Array, offset: number): number;
}

/**
 * The GP posterior of the latent function, optionally conditioned on "believed" observations
 * (pending trials with fantasy values). With the posterior mean as the fantasy (the kriging
 * believer) the mean is unchanged and only the variance shrinks around the believed points.
 */
export class GpPosterior {
  readonly signal: number;
  readonly noise: number;
  private readonly weights: Float64Array;
  private readonly alpha: Float64Array;
  /** Targets of the training points then the believed values. */
  private readonly targets: Float64Array;
  /** Training points then believed points, row-major. */
  private readonly points: Float64Array;
  private readonly size: number;
  private readonly factor: Float64Array;
  /** Diagonal jitter the factorization of the training points needed (0 almost always). */
  private readonly jitter: number;
  private readonly kvec: Float64Array;
  /** Set for a kernel other than the Matérn ARD one; `signal` is then unused. */
  private readonly covariance: Covariance | undefined;

  private constructor(
    private readonly data: GpData,
    readonly theta: Theta,
    parts: { weights: Float64Array; alpha: Float64Array; targets: Float64Array; points: Float64Array; size: number; factor: Float64Array; jitter: number; covariance?: Covariance },
  ) {
    this.covariance = parts.covariance;
    this.signal = Math.exp(theta[data.groups]);
    this.noise = parts.covariance ? parts.covariance.noise : Math.exp(theta[data.groups + 1]);
    this.weights = parts.weights;
    this.alpha = parts.alpha;
    this.targets = parts.targets;
    this.points = parts.points;
    this.size = parts.size;
    this.factor = parts.factor;
    this.jitter = parts.jitter;
    this.kvec = new Float64Array(parts.size);
  }

  /** The posterior under `theta`'s Matérn ARD kernel, or under `covariance` when given (`theta` then only travels with it). */
  static fit(data: GpData, theta: Theta, covariance?: Covariance): GpPosterior | null {
    const { n, dims } = data;
    const weights = featureWeights(theta, data);
    const signal = Math.exp(theta[data.groups]);
    const noise = covariance ? covariance.noise : Math.exp(theta[data.groups + 1]);
    const k = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      k[i * n + i] = (covariance ? covariance.at(data.x, i * dims) : signal) + noise;
      for (let j = 0; j < i; j++) {
        const v = covariance
          ? covariance.between(data.x, i * dims, data.x, j * dims)
          : signal * matern52(Math.sqrt(scaledDistance2(data.x, i * dims, data.x, j * dims, weights)));
        k[i * n + j] = v;
        k[j * n + i] = v;
      }
    }
    const factored = choleskyWithJitter(k, n);
    if (!factored) return null;
    const alpha = solveUpper(factored.l, n, solveLower(factored.l, n, Float64Array.from(data.y)));
    return new GpPosterior(data, theta, { weights, alpha, targets: data.y, points: data.x, size: n, factor: factored.l, jitter: factored.jitter, covariance });
  }

  /**
   * The posterior on `data` with the same hyperparameters, where `data` holds this posterior's
   * training points first, in order, and new points after them; its outputs may all differ
   * (they are re-standardized as data arrive). The factor is extended by the new rows in
   * O(m n²) rather than refactored in O(n³), and the weights re-solved in O(n²). The result
   * equals `GpPosterior.fit(data, theta)` up to rounding, except that a jitter the first
   * factorization needed is kept and added to the new rows too. Null if the new rows cannot be
   * factored even with jitter, if this posterior holds believed points, or if `data` does not
   * start with this posterior's training points (checked: O(n · dims), next to O(m n²)).
   */
  extend(data: GpData): GpPosterior | null {
    const n = this.data.n;
    const m = data.n - n;
    if (this.size !== n || m < 0 || data.dims !== this.data.dims) return null;
    const { dims } = data;
    for (let i = 0; i < n * dims; i++) if (data.x[i] !== this.data.x[i]) return null;
    let factor = this.factor;
    if (m > 0) {
      const cross = new Float64Array(n * m);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < m; j++) cross[i * m + j] = this.kernel(data.x, i * dims, data.x, (n + j) * dims);
      }
      const corner = new Float64Array(m * m);
      for (let a = 0; a < m; a++) {
        for (let c = 0; c <= a; c++) {
          const v = this.kernel(data.x, (n + a) * dims, data.x, (n + c) * dims) + (a === c ? this.noise + this.jitter : 0);
          corner[a * m + c] = v;
          corner[c * m + a] = v;
        }
      }
      const extended = extendCholesky(this.factor, n, cross, corner, m);
      if (!extended) return null;
      factor = extended;
    }
    const alpha = solveUpper(factor, data.n, solveLower(factor, data.n, Float64Array.from(data.y)));
    return new GpPosterior(data, this.theta, { weights: this.weights, alpha, targets: data.y, points: data.x, size: data.n, factor, jitter: this.jitter, covariance: this.covariance });
  }

  /**
   * The posterior after also observing `values` at `believed` points (m × dims); without
   * values, each point is believed at its current posterior mean (kriging believer).
   */
  believe(believed: Float64Array, m: number, values?: Float64Array): GpPosterior {
    if (m === 0) return this;
    const { dims } = this.data;
    const n = this.size;
    const fantasies = values ?? Float64Array.from({ length: m }, (_, j) => this.predict(believed, j * dims).mean);
    const cross = new Float64Array(n * m);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) cross[i * m + j] = this.kernel(this.points, i * dims, believed, j * dims);
    }
    const corner = new Float64Array(m * m);
    for (let a = 0; a < m; a++) {
      for (let c = 0; c <= a; c++) {
        const v = this.kernel(believed, a * dims, believed, c * dims) + (a === c ? this.noise : 0);
        corner[a * m + c] = v;
        corner[c * m + a] = v;
      }
    }
    const factor = extendCholesky(this.factor, n, cross, corner, m);
    if (!factor) return this;
    const points = new Float64Array((n + m) * dims);
    points.set(this.points.subarray(0, n * dims));
    points.set(believed.subarray(0, m * dims), n * dims);
    const targets = new Float64Array(n + m);
    targets.set(this.targets);
    targets.set(fantasies.subarray(0, m), n);
    const alpha = solveUpper(factor, n + m, solveLower(factor, n + m, Float64Array.from(targets)));
    return new GpPosterior(this.data, this.theta, { weights: this.weights, alpha, targets, points, size: n + m, factor, jitter: this.jitter, covariance: this.covariance });
  }

  /** Training points then believed points (row-major, `dims` wide), how many there are, and how many of them are training points. */
  get conditionedOn(): { points: Float64Array; dims: number; size: number; observed: number } {
    return { points: this.points, dims: this.data.dims, size: this.size, observed: this.data.n };
  }

  /** The prior covariance of the latent function between two feature vectors. */
  priorCovariance(a: Float64Array, aOffset: number, b: Float64Array, bOffset: number): number {
    return this.kernel(a, aOffset, b, bOffset);
  }

  /**
   * The joint posterior of the latent function at `m` feature vectors (row-major): means and
   * the m×m covariance. O(m·n² + m²·n) for n conditioning points.
   */
  jointLatent(points: Float64Array, m: number): { mean: Float64Array; cov: Float64Array } {
    const { dims } = this.data;
    const size = this.size;
    const mean = new Float64Array(m);
    const explained = new Float64Array(m * size);
    for (let j = 0; j < m; j++) {
      const kv = new Float64Array(size);
      for (let i = 0; i < size; i++) {
        kv[i] = this.kernel(this.points, i * dims, points, j * dims);
        mean[j] += kv[i] * this.alpha[i];
      }
      explained.set(solveLower(this.factor, size, kv), j * size);
    }
    const cov = new Float64Array(m * m);
    for (let a = 0; a < m; a++) {
      for (let c = 0; c <= a; c++) {
        const v = this.kernel(points, a * dims, points, c * dims) - dot(explained, a * size, explained, c * size, size);
        cov[a * m + c] = v;
        cov[c * m + a] = v;
      }
    }
    return { mean, cov };
  }

  /** Posterior mean and variance of the latent function at a feature vector. */
  predict(x: Float64Array, offset = 0): { mean: number; variance: number } {
    const { dims } = this.data;
    const size = this.size;
    const kv = this.kvec;
    let mean = 0;
    for (let i = 0; i < size; i++) {
      kv[i] = this.kernel(this.points, i * dims, x, offset);
      mean += kv[i] * this.alpha[i];
    }
    solveLower(this.factor, size, kv);
    let explained = 0;
    for (let i = 0; i < size; i++) explained += kv[i] * kv[i];
    // Rounding can push the difference slightly below zero next to a training point.
    const prior = this.covariance ? this.covariance.at(x, offset) : this.signal;
    const variance = Math.max(prior - explained, 1e-12 * prior);
    return { mean, variance };
  }

  private kernel(a: Float64Array, aOffset: number, b: Float64Array, bOffset: number): number {
    if (this.covariance) return this.covariance.between(a, aOffset, b, bOffset);
    return this.signal * matern52(Math.sqrt(scaledDistance2(a, aOffset, b, bOffset, this.weights)));
  }
}
