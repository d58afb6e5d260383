/**
 * Matérn-5/2 kernel with one lengthscale per parameter (ARD). A categorical's one-hot features
 * share its parameter's lengthscale, so two different categories are always at the same
 * distance (√2 / ℓ): a Hamming-style term, with no order imposed on the values.
 */

const SQRT5 = Math.sqrt(5);

/** Matérn-5/2 correlation at scaled distance r: twice differentiable, less smooth than RBF. */
export function matern52(r: number): number {
  const sr = SQRT5 * r;
  return (1 + sr + (sr * sr) / 3) * Math.exp(-sr);
}

/** d matern52(r) / d r² · (−2) — the factor that multiplies a lengthscale's share of r². */
export function matern52LengthscaleFactor(r: number): number {
  // d k / d log ℓ_g = (5/3)(1 + √5 r) e^{−√5 r} · s_g, where s_g is the group's part of r².
  return (5 / 3) * (1 + SQRT5 * r) * Math.exp(-SQRT5 * r);
}

/** Squared scaled distance, with weights w_d = 1/ℓ² of each feature's parameter. */
export function scaledDistance2(a: Float64Array, aOffset: number, b: Float64Array, bOffset: number, weights: Float64Array): number {
  let s = 0;
  for (let d = 0; d < weights.length; d++) {
    const diff = a[aOffset + d] - b[bOffset + d];
    s += diff * diff * weights[d];
  }
  return s;
}
