/**
 * Output transforms applied before the GP sees the objective. Values are standardized, then
 * passed through a Yeo-Johnson power transform whose exponent is fitted by maximum likelihood,
 * then standardized again. Objectives like a loss or an error rate are heavy-tailed (a few
 * diverged runs far worse than the rest); a stationary GP fitted to them raw spends its
 * variance on the outliers and turns flat around the good region. The transform is monotone,
 * so the order of the trials, and hence the incumbent, is unchanged.
 */

/** The output transform fitted to one set of values, both ways. */
export interface OutputWarp {
  /** The transformed, standardized values the GP is fitted to. */
  readonly values: Float64Array;
  /** A value in the GP's space back to the original units (monotone increasing). */
  inverse(z: number): number;
}

/**
 * Fits the transform to `values` (oriented for minimization) and keeps what it takes to undo
 * it, so a posterior mean or a band edge computed in the GP's space can be shown in the
 * objective's units.
 */
export function fitOutputWarp(values: ArrayLike<number>, options: { powerTransform?: boolean } = {}): OutputWarp {
  const first = standardization(Float64Array.from(values));
  if (first === null) {
    // Constant values: the GP sees zeros, and every prediction is that constant.
    const constant = values.length > 0 ? values[0] : 0;
    return { values: new Float64Array(values.length), inverse: () => constant };
  }
  const z = first.values;
  if (options.powerTransform === false || values.length < 4) return { values: z, inverse: first.inverse };
  const lambda = fitYeoJohnson(z);
  const second = standardization(z.map((v) => yeoJohnson(v, lambda)));
  if (second === null) return { values: z, inverse: first.inverse };
  return { values: second.values, inverse: (t) => first.inverse(inverseYeoJohnson(second.inverse(t), lambda)) };
}

/**
 * Standardized copy, or null when the values are constant (the GP then sees zeros: no
 * information, no division by zero).
 */
export function standardize(values: Float64Array): Float64Array | null {
  return standardization(values)?.values ?? null;
}

function standardization(values: Float64Array): { values: Float64Array; inverse: (z: number) => number } | null {
  const n = values.length;
  if (n === 0) return null;
  // Dividing by the largest magnitude first keeps sums of values near ±1e308 finite.
  let largest = 0;
  for (const v of values) largest = Math.max(largest, Math.abs(v));
  const scale = largest > 1e100 ? largest : 1;
  if (scale !== 1) values = values.map((v) => v / scale);
  let mean = 0;
  for (const v of values) mean += v;
  mean /= n;
  let variance = 0;
  for (const v of values) variance += (v - mean) ** 2;
  const sd = Math.sqrt(variance / n);
  if (!(sd > 1e-12 * Math.max(1, Math.abs(mean)))) return null;
  return { values: values.map((v) => (v - mean) / sd), inverse: (z) => (z * sd + mean) * scale };
}

export function yeoJohnson(y: number, lambda: number): number {
  if (y >= 0) return Math.abs(lambda) < 1e-8 ? Math.log1p(y) : (Math.pow(1 + y, lambda) - 1) / lambda;
  const mirrored = 2 - lambda;
  return Math.abs(mirrored) < 1e-8 ? -Math.log1p(-y) : -(Math.pow(1 - y, mirrored) - 1) / mirrored;
}

/**
 * The inverse of `yeoJohnson` for the same λ. For λ < 0 the transform of y ≥ 0 is bounded above
 * by −1/λ (and for λ > 2 that of y < 0 below by 1/(2 − λ)); beyond those bounds, where a GP
 * band may reach, the inverse is ±∞.
 */
export function inverseYeoJohnson(t: number, lambda: number): number {
  if (t >= 0) {
    if (Math.abs(lambda) < 1e-8) return Math.expm1(t);
    const base = 1 + lambda * t;
    return base > 0 ? Math.pow(base, 1 / lambda) - 1 : Infinity;
  }
  const mirrored = 2 - lambda;
  if (Math.abs(mirrored) < 1e-8) return -Math.expm1(-t);
  const base = 1 - mirrored * t;
  return base > 0 ? 1 - Math.pow(base, 1 / mirrored) : -Infinity;
}

const LAMBDA_MIN = -1;
const LAMBDA_MAX = 3;

/**
 * Exponent maximizing the Gaussian likelihood of the transformed values (profile likelihood,
 * with the Jacobian term). Bounded so a single point cannot drive the transform to extremes.
 */
export function fitYeoJohnson(values: Float64Array): number {
  let jacobianLog = 0;
  for (const v of values) jacobianLog += Math.sign(v) * Math.log1p(Math.abs(v));
  const n = values.length;
  const profile = (lambda: number): number => {
    let mean = 0;
    for (const v of values) mean += yeoJohnson(v, lambda);
    mean /= n;
    let variance = 0;
    for (const v of values) variance += (yeoJohnson(v, lambda) - mean) ** 2;
    variance /= n;
    if (!(variance > 0) || !Number.isFinite(variance)) return -Infinity;
    return -0.5 * n * Math.log(variance) + (lambda - 1) * jacobianLog;
  };
  // Coarse scan, then golden-section search around the best cell (the profile may not be concave).
  const steps = 16;
  let bestIndex = 0;
  let bestValue = -Infinity;
  for (let i = 0; i <= steps; i++) {
    const value = profile(LAMBDA_MIN + ((LAMBDA_MAX - LAMBDA_MIN) * i) / steps);
    if (value > bestValue) {
      bestValue = value;
      bestIndex = i;
    }
  }
  if (bestValue === -Infinity) return 1;
  const cell = (LAMBDA_MAX - LAMBDA_MIN) / steps;
  let lo = LAMBDA_MIN + cell * Math.max(0, bestIndex - 1);
  let hi = LAMBDA_MIN + cell * Math.min(steps, bestIndex + 1);
  const ratio = (Math.sqrt(5) - 1) / 2;
  let a = hi - ratio * (hi - lo);
  let b = lo + ratio * (hi - lo);
  let fa = profile(a);
  let fb = profile(b);
  for (let i = 0; i < 30; i++) {
    if (fa > fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - ratio * (hi - lo);
      fa = profile(a);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + ratio * (hi - lo);
      fb = profile(b);
    }
  }
  return (lo + hi) / 2;
}
