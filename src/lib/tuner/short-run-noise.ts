import { hyperPrior, type HyperPrior, type KernelFamily } from './fit';
import { gaussianLogLikelihood, pairGroupDistances, type Covariance, type GpData, type Theta } from './gp';
import { matern52, matern52LengthscaleFactor, scaledDistance2 } from './kernel';
import { inverseFromCholesky } from './linalg';

/**
 * The Matérn ARD kernel over (configuration, budget) with a second noise that only short runs
 * carry: τ²(1 − s)² on the diagonal, s the budget's feature (last, 1 at the full budget). The
 * short runs' misfit (their learning-curve gaps, which the product kernel cannot shape) goes
 * there instead of into the one noise every result shares, so the full-budget results can be
 * fitted nearly exactly. θ = [log ℓ per parameter, log σ², log τ², log noise].
 */
export function shortRunNoiseKernel(noiseFloor: number): Required<KernelFamily> {
  return { prior: (data) => prior(data, noiseFloor), likelihood, covariance };
}

function prior(data: GpData, noiseFloor: number): HyperPrior {
  const base = hyperPrior(data.groups, noiseFloor);
  const g = data.groups;
  const insert = (a: Float64Array, v: number) => Float64Array.from([...a.slice(0, g + 1), v, a[g + 1]]);
  return {
    mean: insert(base.mean, Number(process.env.LB_TAU_MEAN ?? -4)),
    sd: insert(base.sd, 3),
    lower: insert(base.lower, Math.log(1e-9)),
    upper: insert(base.upper, Math.log(2)),
    lengthscales: base.lengthscales,
  };
}

const shortness = (x: Float64Array, offset: number, dims: number) => (1 - x[offset + dims - 1]) ** Number(process.env.LB_SRN_P ?? 2);

function likelihood(data: GpData): (theta: Theta, grad?: Float64Array) => number {
  const pairs = pairGroupDistances(data);
  const { n, groups, dims } = data;
  const short = Float64Array.from({ length: n }, (_, i) => shortness(data.x, i * dims, dims));
  return (theta, grad) => {
    const signal = Math.exp(theta[groups]);
    const tau = Math.exp(theta[groups + 1]);
    const noise = Math.exp(theta[groups + 2]);
    const inv2 = new Float64Array(groups);
    for (let g = 0; g < groups; g++) inv2[g] = Math.exp(-2 * theta[g]);
    const k = new Float64Array(n * n);
    const dist = new Float64Array((n * (n - 1)) / 2);
    for (let i = 0; i < n; i++) k[i * n + i] = signal + noise + tau * short[i];
    for (let i = 1, p = 0, q = 0; i < n; i++) {
      for (let j = 0; j < i; j++, p += groups, q++) {
        let r2 = 0;
        for (let g = 0; g < groups; g++) r2 += pairs[p + g] * inv2[g];
        const r = Math.sqrt(r2);
        dist[q] = r;
        const v = signal * matern52(r);
        k[i * n + j] = v;
        k[j * n + i] = v;
      }
    }
    const gaussian = gaussianLogLikelihood(k, n, data.y);
    if (!gaussian) return -Infinity;
    const { value, l, alpha } = gaussian;
    if (!grad) return value;
    const kinv = inverseFromCholesky(l, n);
    grad.fill(0);
    for (let i = 0; i < n; i++) {
      const w = alpha[i] * alpha[i] - kinv[i * n + i];
      grad[groups] += 0.5 * w * signal;
      grad[groups + 1] += 0.5 * w * tau * short[i];
      grad[groups + 2] += 0.5 * w * noise;
    }
    for (let i = 1, p = 0, q = 0; i < n; i++) {
      for (let j = 0; j < i; j++, p += groups, q++) {
        const w = alpha[i] * alpha[j] - kinv[i * n + j];
        grad[groups] += w * k[i * n + j];
        const factor = w * signal * matern52LengthscaleFactor(dist[q]);
        for (let g = 0; g < groups; g++) grad[g] += factor * pairs[p + g] * inv2[g];
      }
    }
    return value;
  };
}

function covariance(data: GpData, theta: Theta): Covariance {
  const { groups, dims } = data;
  const signal = Math.exp(theta[groups]);
  const tau = Math.exp(theta[groups + 1]);
  const weights = new Float64Array(dims);
  for (let d = 0; d < dims; d++) weights[d] = Math.exp(-2 * theta[data.groupOf[d]]);
  return {
    noise: Math.exp(theta[groups + 2]),
    between: (a, ao, b, bo) => signal * matern52(Math.sqrt(scaledDistance2(a, ao, b, bo, weights))),
    at: (x, o) => signal + tau * shortness(x, o, dims),
  };
}
