import type { Rng } from '../rng';
import type { GpPosterior } from './gp';
import { cholesky, choleskyWithJitter, dot, solveLower, solveUpper } from './linalg';
import { logExpectedImprovement } from './normal';

/**
 * Jitter on the latent covariances, relative to the signal variance: the latent function at
 * two nearly equal configurations is nearly the same number, and without a floor the
 * conditional mean of one given the other amplifies rounding into large swings.
 */
const LATENT_JITTER = 1e-6;

/**
 * Noisy expected improvement (Letham et al., 2019): the expected improvement of f(x) over the
 * *true* best of the evaluated configurations, both unknown under noise, averaged over joint
 * draws of the latent function at the evaluated points. Given one draw fₛ there, f(x) no
 * longer depends on the noisy outputs, so it is normal with the prior's conditional mean and
 * variance, and EI has its closed form with incumbent min fₛ. Plain EI on the best observed
 * value improves on a lucky draw; NEI's incumbent is what the model believes the evaluated
 * points are worth, with its uncertainty.
 *
 * Returns log NEI as a function of a feature vector, or null when the latent covariance
 * cannot be factored. Building it costs O(m·n² + m³) for m distinct conditioning points;
 * each evaluation O(m² + m·samples), the same order as one posterior prediction.
 */
export function noisyExpectedImprovement(posterior: GpPosterior, samples: number, rng: Rng): ((x: Float64Array) => number) | null {
  const { points, dims, size, observed } = posterior.conditionedOn;
  // Every conditioning point (believed ones too) must be among the sampled ones, or f(x) would
  // still depend on their outputs; only the evaluated ones can be the incumbent. Repeats of a
  // configuration share one latent value.
  const rows: number[] = [];
  const canLead: boolean[] = [];
  const seen = new Map<string, number>();
  for (let i = 0; i < size; i++) {
    const key = points.subarray(i * dims, (i + 1) * dims).join(',');
    const known = seen.get(key);
    if (known !== undefined) {
      canLead[known] ||= i < observed;
      continue;
    }
    seen.set(key, rows.length);
    rows.push(i);
    canLead.push(i < observed);
  }
  const m = rows.length;
  const x = new Float64Array(m * dims);
  rows.forEach((row, j) => x.set(points.subarray(row * dims, (row + 1) * dims), j * dims));

  // The prior variance at the first point stands for the kernel's scale (exact for Matérn).
  const floor = LATENT_JITTER * (m > 0 ? posterior.priorCovariance(x, 0, x, 0) : posterior.signal);
  const joint = posterior.jointLatent(x, m);
  const jointFactor = factorWithFloor(joint.cov, m, floor);
  const prior = new Float64Array(m * m);
  for (let a = 0; a < m; a++) {
    for (let c = 0; c <= a; c++) {
      const v = posterior.priorCovariance(x, a * dims, x, c * dims);
      prior[a * m + c] = v;
      prior[c * m + a] = v;
    }
  }
  const priorFactor = factorWithFloor(prior, m, floor);
  if (!jointFactor || !priorFactor) return null;

  // weights[i·samples + s] = (K⁻¹ fₛ)ᵢ, so the conditional mean at x is k(x)ᵀ·weights[:, s].
  const weights = new Float64Array(m * samples);
  const incumbents = new Float64Array(samples).fill(Infinity);
  const z = new Float64Array(m);
  for (let s = 0; s < samples; s++) {
    for (let i = 0; i < m; i++) z[i] = rng.normal();
    const draw = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      draw[i] = joint.mean[i] + dot(jointFactor, i * m, z, 0, i + 1);
      if (canLead[i]) incumbents[s] = Math.min(incumbents[s], draw[i]);
    }
    const solved = solveUpper(priorFactor, m, solveLower(priorFactor, m, draw));
    for (let i = 0; i < m; i++) weights[i * samples + s] = solved[i];
  }

  const k = new Float64Array(m);
  const means = new Float64Array(samples);
  const logs = new Float64Array(samples);
  const logSamples = Math.log(samples);
  return (features: Float64Array): number => {
    means.fill(0);
    for (let i = 0; i < m; i++) {
      k[i] = posterior.priorCovariance(x, i * dims, features, 0);
      const ki = k[i];
      const base = i * samples;
      for (let s = 0; s < samples; s++) means[s] += ki * weights[base + s];
    }
    solveLower(priorFactor, m, k);
    const prior = posterior.priorCovariance(features, 0, features, 0);
    const variance = Math.max(prior - dot(k, 0, k, 0, m), 1e-12 * prior);
    const sd = Math.sqrt(variance);
    let top = -Infinity;
    for (let s = 0; s < samples; s++) {
      logs[s] = logExpectedImprovement(means[s], sd, incumbents[s]);
      top = Math.max(top, logs[s]);
    }
    if (top === -Infinity) return -Infinity;
    let sum = 0;
    for (let s = 0; s < samples; s++) sum += Math.exp(logs[s] - top);
    return top + Math.log(sum) - logSamples;
  };
}

function factorWithFloor(a: Float64Array, n: number, floor: number): Float64Array | null {
  return cholesky(a, n, floor) ?? choleskyWithJitter(a, n)?.l ?? null;
}
