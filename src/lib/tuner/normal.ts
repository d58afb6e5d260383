/**
 * The standard normal distribution, accurate to near double precision far into the tails,
 * because expected improvement is evaluated where its value is astronomically small.
 */

const SQRT2 = Math.SQRT2;
const INV_SQRT_PI = 1 / Math.sqrt(Math.PI);
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const SERIES_LIMIT = 2.5;
const TAIL_DEPTH = 120;

/** e^{x²}·erfc(x) for x ≥ 0: finite where erfc itself underflows. */
export function erfcx(x: number): number {
  if (x < SERIES_LIMIT) return Math.exp(x * x) * (1 - erfSeries(x));
  // Continued fraction erfc(x) = e^{-x²}/√π · 1/(x + ½/(x + 1/(x + 3⁄2/(x + …)))), evaluated
  // bottom-up; it converges quickly once x is past the series' useful range.
  let t = 0;
  for (let k = TAIL_DEPTH; k >= 1; k--) t = k / 2 / (x + t);
  return INV_SQRT_PI / (x + t);
}

export function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  if (x < SERIES_LIMIT) return 1 - erfSeries(x);
  return Math.exp(-x * x) * erfcx(x);
}

/** Standard normal density. */
export function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z - LOG_SQRT_2PI);
}

/** Standard normal cumulative distribution. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / SQRT2);
}

/**
 * log h(z) with h(z) = φ(z) + zΦ(z), so that EI = σ·h((best − μ)/σ). Direct evaluation loses
 * everything to cancellation and underflow for z ≪ 0; there h(z) = φ(z)·(1 − |z|·R(|z|)) with
 * R the Mills ratio, and 1 − xR(x) = U/(x + U) where U is the tail of Laplace's continued fraction
 * for R, so the difference is never formed and the log stays finite for any finite z.
 */
export function logH(z: number): number {
  if (z > -3) return Math.log(normalPdf(z) + z * normalCdf(z));
  const x = -z;
  let t = 0;
  for (let k = TAIL_DEPTH; k >= 2; k--) t = k / (x + t);
  const u = 1 / (x + t);
  return -0.5 * z * z - LOG_SQRT_2PI + Math.log(u) - Math.log(x + u);
}

/**
 * log EI for minimization: the log of E[max(best − f, 0)] with f ~ N(mean, sd²).
 * With sd = 0 there is no uncertainty, and the log of the plain improvement is returned.
 */
export function logExpectedImprovement(mean: number, sd: number, best: number): number {
  if (!(sd > 0)) return best > mean ? Math.log(best - mean) : -Infinity;
  return Math.log(sd) + logH((best - mean) / sd);
}

/** erf(x) for 0 ≤ x < 2.5 from a series of positive terms (no cancellation inside the sum). */
function erfSeries(x: number): number {
  // erf(x) = 2/√π · e^{-x²} · Σ 2ⁿ x^{2n+1} / (1·3·…·(2n+1))
  let term = x;
  let sum = x;
  const x2 = 2 * x * x;
  for (let n = 1; n < 200; n++) {
    term *= x2 / (2 * n + 1);
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return 2 * INV_SQRT_PI * Math.exp(-x * x) * sum;
}
