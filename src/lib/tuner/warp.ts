/**
 * Output transforms applied before the GP sees the objective. Values are standardized, then
 * passed through a Yeo-Johnson power transform whose exponent is fitted by maximum likelihood,
 * then standardized again. Objectives like a loss or an error rate are heavy-tailed (a few
 * diverged runs far worse than the rest); a stationary GP fitted to them raw spends its
 * variance on the outliers and turns flat around the good region. The transform is monotone,
 * so the order of the trials, and hence the incumbent, is unchanged.
 */

/** Values oriented for minimization → transformed, standardized values. */
export function warpOutputs(values: ArrayLike<number>, options: { powerTransform?: boolean } = {}): Float64Array {
  const z = standardize(Float64Array.from(values));
  if (z === null) return new Float64Array(values.length);
  if (options.powerTransform === false || values.length < 4) return z;
  const lambda = fitYeoJohnson(z);
  const warped = z.map((v) => yeoJohnson(v, lambda));
  return standardize(warped) ?? z;
}

/**
 * Standardized copy, or null when the values are constant (the GP then sees zeros: no
 * information, no division by zero).
 */
export function standardize(values: Float64Array): Float64Array | null {
  const n = values.length;
  if (n === 0) return null;
  // Dividing by the largest magnitude first keeps sums of values near ±1e308 finite.
  let largest = 0;
  for (const v of values) largest = Math.max(largest, Math.abs(v));
  if (largest > 1e100) values = values.map((v) => v / largest);
  let mean = 0;
  for (const v of values) mean += v;
  mean /= n;
  let variance = 0;
  for (const v of values) variance += (v - mean) ** 2;
  const sd = Math.sqrt(variance / n);
  if (!(sd > 1e-12 * Math.max(1, Math.abs(mean)))) return null;
  return values.map((v) => (v - mean) / sd);
}

export function yeoJohnson(y: number, lambda: number): number {
  if (y >= 0) return Math.abs(lambda) < 1e-8 ? Math.log1p(y) : (Math.pow(1 + y, lambda) - 1) / lambda;
  const mirrored = 2 - lambda;
  return Math.abs(mirrored) < 1e-8 ? -Math.log1p(-y) : -(Math.pow(1 - y, mirrored) - 1) / mirrored;
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
