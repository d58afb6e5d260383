import { NOISE_FLOOR, type HyperPrior, type KernelFamily } from './fit';
import { gaussianLogLikelihood, pairGroupDistances, type Covariance, type GpData, type Theta } from './gp';
import { inverseFromCholesky } from './linalg';
import { matern52, matern52LengthscaleFactor, scaledDistance2 } from './kernel';

/**
 * A kernel with the structure of learning curves, for Hyperband's GP over configuration and
 * budget (docs/TUNER.md, Hyperband, Sampling): the value of configuration x after a run at
 * budget s is
 *
 *   f(x, s) = f_full(x) + φ(s) · g(x, s),   φ(s) = (1 − s)^p,
 *
 * with s the budget's log position in [0, 1] (0 the fewest epochs, 1 the full budget), f_full a
 * Matérn-5/2 ARD GP (its own lengthscales and variance σ₁²) and g, the gap a shorter run leaves,
 * an independent one: a Matérn ARD part (its own lengthscales, variance σ₂²) plus a constant of
 * variance β² (short runs are worse on average, by how much the data say), both allowed to
 * change smoothly with the budget (a Matérn in s, lengthscale ℓ_s). So
 *
 *   k((x, s), (x', s')) = σ₁² M(x, x'; ℓ₁) + φ(s) φ(s') M(|s − s'|; ℓ_s) (β² + σ₂² M(x, x'; ℓ₂)).
 *
 * At the full budget φ = 0 and the prediction is f_full alone: short runs inform it wherever
 * their values share a part with the full ones, and the rest of their difference is g's.
 * φ only assumes the gap shrinks monotonically to nothing at the full budget; p, learned, says
 * whether it closes early (p > 1: most of it is gone a third of the way up in log-epochs) or
 * late (p < 1). No parametric curve (power law, exponential) is assumed: a run of e epochs
 * under a one-cycle schedule scaled to e is not a point on the full run's curve. The Matérn in
 * s takes up what φ's one shape misses; without it the misfit went into the noise variance
 * (about 1e-4 of the standardized variance, against the 1e-6 floor otherwise), which blurred
 * the full-budget values that refine the optimum (docs/PERFORMANCE.md, Hyperband vs bayesian).
 *
 * The data's last group must be the budget, one feature in [0, 1]; the groups before it are the
 * configuration's parameters (`FidelityModel` encodes them so).
 *
 * θ = [log ℓ₁ per parameter…, log ℓ₂ per parameter…, log σ₁², log σ₂², log β², log p, log ℓ_s,
 * log σ²_n].
 *
 * With `feature`, the kernel adds σ_a² M((x, s), (x′, s′); ℓ_a), the budget-as-a-feature Matérn
 * (`fidelityKernel: 'feature'`) with its own lengthscales (the budget's last) and variance, so
 * the fit weights the two structures; θ then holds [log ℓ_a per parameter and the budget…,
 * log σ_a²] before log σ²_n. Measured in docs/PERFORMANCE.md (Picking or combining the two
 * kernels): no better than the curve kernel alone.
 */
export function curveKernel(noiseFloor = NOISE_FLOOR, options: { feature?: boolean } = {}): Required<KernelFamily> {
  const feature = options.feature === true;
  return { prior: (data) => curvePrior(data, noiseFloor, feature), likelihood: (data) => curveLikelihood(data, feature), covariance: (data, theta) => curveCovariance(data, theta, feature) };
}

/** The configuration's parameters: every group but the budget's. */
function parameters(data: GpData): number {
  const { groups, groupOf, dims } = data;
  if (groups < 2 || groupOf[dims - 1] !== groups - 1 || (dims > 1 && groupOf[dims - 2] === groups - 1)) {
    throw new RangeError('The learning-curve kernel needs the budget as the last group, one feature, after at least one parameter.');
  }
  return groups - 1;
}

/**
 * Indices into θ for a model of `p` parameters; with `feature`, the Matérn over configuration
 * and budget's p + 1 lengthscales (the budget's last) and its variance come before the noise.
 */
const at = (p: number, feature = false) => {
  const base = { l1: 0, l2: p, full: 2 * p, gap: 2 * p + 1, bias: 2 * p + 2, power: 2 * p + 3, budget: 2 * p + 4 };
  return feature
    ? { ...base, la: 2 * p + 5, joint: 3 * p + 6, noise: 3 * p + 7, size: 3 * p + 8 }
    : { ...base, la: -1, joint: -1, noise: 2 * p + 5, size: 2 * p + 6 };
};

/**
 * The Matérn priors (fit.ts) on both functions' lengthscales and variances, the gap's allowed to
 * be small (a budget that barely changes values); log p ~ N(0, 0.5): a gap that closes
 * linearly in log-epochs, give or take a factor of 1.6, bounded to [0.2, 5]; log ℓ_s ~ N(0, 1):
 * the gap's shape across the budget range is smooth unless the data say otherwise.
 */
function curvePrior(data: GpData, noiseFloor: number, feature: boolean): HyperPrior {
  const p = parameters(data);
  const i = at(p, feature);
  const mean = new Float64Array(i.size);
  const sd = new Float64Array(i.size);
  const lower = new Float64Array(i.size);
  const upper = new Float64Array(i.size);
  const set = (k: number, m: number, s: number, lo: number, hi: number) => {
    mean[k] = m;
    sd[k] = s;
    lower[k] = Math.log(lo);
    upper[k] = Math.log(hi);
  };
  const lengthMean = Math.log(0.5) + 0.5 * Math.log(p);
  for (let g = 0; g < 2 * p; g++) set(g, lengthMean, 1, 0.005, 500);
  set(i.full, 0, 1.5, 0.01, 100);
  set(i.gap, 0, 1.5, 1e-4, 100);
  set(i.bias, 0, 1.5, 1e-4, 100);
  set(i.power, 0, 0.5, 0.2, 5);
  set(i.budget, 0, 1, 0.05, 500);
  if (feature) {
    // The feature kernel's priors (fit.ts, hyperPrior, with the budget one of p + 1 groups);
    // its variance may vanish, leaving the curve kernel alone.
    const jointMean = Math.log(0.5) + 0.5 * Math.log(p + 1);
    for (let g = 0; g <= p; g++) set(i.la + g, jointMean, 1, 0.005, 500);
    set(i.joint, 0, 1.5, 1e-4, 100);
  }
  set(i.noise, -6, 3, noiseFloor, 2);
  return { mean, sd, lower, upper, lengthscales: 2 * p };
}

/** φ(s) = (1 − s)^p, and dφ/d log p = φ p log(1 − s) (0 at the full budget). */
function phi(s: number, power: number): { value: number; slope: number } {
  const rest = 1 - Math.min(1, Math.max(0, s));
  if (rest <= 0) return { value: 0, slope: 0 };
  const value = Math.pow(rest, power);
  return { value, slope: value * power * Math.log(rest) };
}

function curveLikelihood(data: GpData, feature: boolean): (theta: Theta, grad?: Float64Array) => number {
  const { n, dims, groups } = data;
  const p = parameters(data);
  const i0 = at(p, feature);
  const invA = new Float64Array(p + 1);
  // Each pair's squared distance per group; the budget's (the last) is not used.
  const pairs = pairGroupDistances(data);
  const budget = Float64Array.from({ length: n }, (_, i) => data.x[i * dims + dims - 1]);
  const phis = new Float64Array(n);
  const slopes = new Float64Array(n);
  const inv1 = new Float64Array(p);
  const inv2 = new Float64Array(p);

  return (theta, grad) => {
    for (let g = 0; g < p; g++) {
      inv1[g] = Math.exp(-2 * theta[i0.l1 + g]);
      inv2[g] = Math.exp(-2 * theta[i0.l2 + g]);
    }
    const full = Math.exp(theta[i0.full]);
    const gap = Math.exp(theta[i0.gap]);
    const bias = Math.exp(theta[i0.bias]);
    const power = Math.exp(theta[i0.power]);
    const budgetInv2 = Math.exp(-2 * theta[i0.budget]);
    const noise = Math.exp(theta[i0.noise]);
    const joint = feature ? Math.exp(theta[i0.joint]) : 0;
    if (feature) for (let g = 0; g <= p; g++) invA[g] = Math.exp(-2 * theta[i0.la + g]);
    for (let i = 0; i < n; i++) {
      const f = phi(budget[i], power);
      phis[i] = f.value;
      slopes[i] = f.slope;
    }

    const k = new Float64Array(n * n);
    const pairCount = (n * (n - 1)) / 2;
    // Per pair, the scaled distances and the gap kernel's parts, kept for the gradient.
    const r1s = grad ? new Float64Array(pairCount) : null;
    const r2s = grad ? new Float64Array(pairCount) : null;
    const rss = grad ? new Float64Array(pairCount) : null;
    const gapXs = grad ? new Float64Array(pairCount) : null;
    const gapSs = grad ? new Float64Array(pairCount) : null;
    const ras = grad && feature ? new Float64Array(pairCount) : null;
    for (let i = 0; i < n; i++) k[i * n + i] = full + joint + phis[i] * phis[i] * (bias + gap) + noise;
    for (let i = 1, q = 0; i < n; i++) {
      for (let j = 0; j < i; j++, q++) {
        const base = q * groups;
        let d1 = 0;
        let d2 = 0;
        for (let g = 0; g < p; g++) {
          d1 += pairs[base + g] * inv1[g];
          d2 += pairs[base + g] * inv2[g];
        }
        const r1 = Math.sqrt(d1);
        const r2 = Math.sqrt(d2);
        const rs = Math.abs(budget[i] - budget[j]) * Math.sqrt(budgetInv2);
        const gapX = bias + gap * matern52(r2);
        const gapS = matern52(rs);
        let v = full * matern52(r1) + phis[i] * phis[j] * gapS * gapX;
        if (feature) {
          let da = 0;
          for (let g = 0; g <= p; g++) da += pairs[base + g] * invA[g];
          const ra = Math.sqrt(da);
          v += joint * matern52(ra);
          if (ras) ras[q] = ra;
        }
        k[i * n + j] = v;
        k[j * n + i] = v;
        if (r1s && r2s && rss && gapXs && gapSs) {
          r1s[q] = r1;
          r2s[q] = r2;
          rss[q] = rs;
          gapXs[q] = gapX;
          gapSs[q] = gapS;
        }
      }
    }
    const gaussian = gaussianLogLikelihood(k, n, data.y);
    if (!gaussian) return -Infinity;
    const { value, l, alpha } = gaussian;
    if (!grad || !r1s || !r2s || !rss || !gapXs || !gapSs) return value;

    // ∂ log p / ∂θ = ½ tr(W ∂K/∂θ), W = ααᵀ − K⁻¹; each off-diagonal pair counts twice.
    const kinv = inverseFromCholesky(l, n);
    grad.fill(0);
    for (let i = 0; i < n; i++) {
      const w = 0.5 * (alpha[i] * alpha[i] - kinv[i * n + i]);
      const pp = phis[i] * phis[i];
      grad[i0.full] += w * full;
      grad[i0.gap] += w * pp * gap;
      grad[i0.bias] += w * pp * bias;
      grad[i0.power] += w * 2 * phis[i] * slopes[i] * (bias + gap);
      grad[i0.noise] += w * noise;
      if (feature) grad[i0.joint] += w * joint;
    }
    for (let i = 1, q = 0; i < n; i++) {
      for (let j = 0; j < i; j++, q++) {
        const w = alpha[i] * alpha[j] - kinv[i * n + j];
        const pp = phis[i] * phis[j];
        const ms = gapSs[q];
        grad[i0.full] += w * full * matern52(r1s[q]);
        grad[i0.gap] += w * pp * ms * (gapXs[q] - bias);
        grad[i0.bias] += w * pp * ms * bias;
        grad[i0.power] += w * (slopes[i] * phis[j] + phis[i] * slopes[j]) * ms * gapXs[q];
        grad[i0.budget] += w * pp * gapXs[q] * matern52LengthscaleFactor(rss[q]) * rss[q] * rss[q];
        const base = q * groups;
        const f1 = w * full * matern52LengthscaleFactor(r1s[q]);
        const f2 = w * pp * ms * gap * matern52LengthscaleFactor(r2s[q]);
        for (let g = 0; g < p; g++) {
          grad[i0.l1 + g] += f1 * pairs[base + g] * inv1[g];
          grad[i0.l2 + g] += f2 * pairs[base + g] * inv2[g];
        }
        if (ras) {
          grad[i0.joint] += w * joint * matern52(ras[q]);
          const fa = w * joint * matern52LengthscaleFactor(ras[q]);
          for (let g = 0; g <= p; g++) grad[i0.la + g] += fa * pairs[base + g] * invA[g];
        }
      }
    }
    return value;
  };
}

function curveCovariance(data: GpData, theta: Theta, feature: boolean): Covariance {
  const { dims, groupOf } = data;
  const p = parameters(data);
  const i0 = at(p, feature);
  const width = dims - 1;
  const w1 = new Float64Array(width);
  const w2 = new Float64Array(width);
  // The feature Matérn's weights, the budget's last (zero-variance when absent).
  const wa = new Float64Array(dims);
  for (let d = 0; d < width; d++) {
    w1[d] = Math.exp(-2 * theta[i0.l1 + groupOf[d]]);
    w2[d] = Math.exp(-2 * theta[i0.l2 + groupOf[d]]);
  }
  if (feature) for (let d = 0; d < dims; d++) wa[d] = Math.exp(-2 * theta[i0.la + groupOf[d]]);
  const joint = feature ? Math.exp(theta[i0.joint]) : 0;
  const full = Math.exp(theta[i0.full]);
  const gap = Math.exp(theta[i0.gap]);
  const bias = Math.exp(theta[i0.bias]);
  const power = Math.exp(theta[i0.power]);
  const budgetScale = Math.exp(-theta[i0.budget]);
  return {
    noise: Math.exp(theta[i0.noise]),
    between(a, aOffset, b, bOffset) {
      let d1 = 0;
      let d2 = 0;
      for (let d = 0; d < width; d++) {
        const diff = a[aOffset + d] - b[bOffset + d];
        const sq = diff * diff;
        d1 += sq * w1[d];
        d2 += sq * w2[d];
      }
      let value = full * matern52(Math.sqrt(d1));
      if (feature) value += joint * matern52(Math.sqrt(scaledDistance2(a, aOffset, b, bOffset, wa)));
      const pa = phi(a[aOffset + width], power).value;
      if (pa === 0) return value;
      const pb = phi(b[bOffset + width], power).value;
      if (pb === 0) return value;
      const rs = Math.abs(a[aOffset + width] - b[bOffset + width]) * budgetScale;
      return value + pa * pb * matern52(rs) * (bias + gap * matern52(Math.sqrt(d2)));
    },
    at(x, offset) {
      const f = phi(x[offset + width], power).value;
      return full + joint + f * f * (bias + gap);
    },
  };
}
