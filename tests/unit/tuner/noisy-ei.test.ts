import { describe, expect, it } from 'vitest';
import { GpPosterior, type GpData } from '../../../src/lib/tuner/gp';
import { cholesky } from '../../../src/lib/tuner/linalg';
import { logExpectedImprovement } from '../../../src/lib/tuner/normal';
import { noisyExpectedImprovement } from '../../../src/lib/tuner/noisy-ei';
import { createRng } from '../../../src/lib/rng';

/** One-dimensional data: `xs` with outputs `ys`, a GP with signal 1 and the given noise variance and lengthscale. */
function posteriorOn(xs: number[], ys: number[], noise: number, lengthscale = 0.3): GpPosterior {
  const data: GpData = { x: Float64Array.from(xs), y: Float64Array.from(ys), n: xs.length, dims: 1, groupOf: Int32Array.from([0]), groups: 1 };
  const theta = Float64Array.from([Math.log(lengthscale), 0, Math.log(noise)]);
  return GpPosterior.fit(data, theta)!;
}

describe('GpPosterior.jointLatent', () => {
  it('has the marginal means and variances of predict, and a covariance matrix that can be factored', () => {
    const posterior = posteriorOn([0.1, 0.4, 0.45, 0.9], [0.3, -0.8, -0.5, 1.1], 0.05);
    const at = Float64Array.from([0.2, 0.42, 0.7]);
    const joint = posterior.jointLatent(at, 3);
    for (let i = 0; i < 3; i++) {
      const { mean, variance } = posterior.predict(at, i);
      expect(joint.mean[i]).toBeCloseTo(mean, 10);
      expect(joint.cov[i * 3 + i]).toBeCloseTo(variance, 10);
    }
    // Nearby points are correlated after conditioning, and the matrix is symmetric.
    expect(joint.cov[0 * 3 + 1]).toBeGreaterThan(0);
    expect(joint.cov[1 * 3 + 0]).toBe(joint.cov[0 * 3 + 1]);
    expect(cholesky(joint.cov, 3)).not.toBeNull();
  });
});

describe('noisyExpectedImprovement', () => {
  it('equals EI on the best observed value when there is (almost) no noise', () => {
    const ys = [0.3, -0.8, 0.6, 1.1];
    const posterior = posteriorOn([0.1, 0.4, 0.6, 0.9], ys, 1e-6);
    const nei = noisyExpectedImprovement(posterior, 64, createRng(1))!;
    for (const x of [0.25, 0.5, 0.75, 0.0]) {
      const { mean, variance } = posterior.predict(Float64Array.from([x]));
      const ei = logExpectedImprovement(mean, Math.sqrt(variance), Math.min(...ys));
      expect(nei(Float64Array.from([x]))).toBeCloseTo(ei, 1);
    }
  });

  it('matches a brute-force Monte Carlo estimate of E[max(min f(X) − f(x), 0)] under noise', () => {
    const xs = [0.1, 0.35, 0.4, 0.7, 0.95];
    const posterior = posteriorOn(xs, [0.2, -0.6, 0.4, -0.1, 0.9], 0.2);
    const nei = noisyExpectedImprovement(posterior, 4000, createRng(2))!;
    const rng = createRng(3);
    for (const x of [0.25, 0.55, 0.85]) {
      // Joint draws of the latent function at the evaluated points and at x.
      const at = Float64Array.from([...xs, x]);
      const m = at.length;
      const joint = posterior.jointLatent(at, m);
      const factor = cholesky(joint.cov, m, 1e-9)!;
      let sum = 0;
      const draws = 40000;
      for (let d = 0; d < draws; d++) {
        const z = Array.from({ length: m }, () => rng.normal());
        const f = Array.from({ length: m }, (_, i) => joint.mean[i] + z.slice(0, i + 1).reduce((s, zk, k) => s + factor[i * m + k] * zk, 0));
        sum += Math.max(Math.min(...f.slice(0, -1)) - f[m - 1], 0);
      }
      expect(Math.exp(nei(Float64Array.from([x])))).toBeCloseTo(sum / draws, 2);
    }
  });

  it('measures improvement against what the model believes the evaluated points are worth, not against a lucky draw', () => {
    // Five runs near 0.5 agree on about 0; one run at 0.1 drew −1 by luck (noise σ ≈ 0.7).
    const posterior = posteriorOn([0.1, 0.45, 0.48, 0.5, 0.52, 0.55, 0.9], [-1, 0.05, -0.05, 0, 0.02, -0.02, 0.8], 0.5, 0.15);
    const nei = noisyExpectedImprovement(posterior, 256, createRng(4))!;
    const plain = (x: number): number => {
      const { mean, variance } = posterior.predict(Float64Array.from([x]));
      return logExpectedImprovement(mean, Math.sqrt(variance), -1);
    };
    const noisy = (x: number): number => nei(Float64Array.from([x]));
    // The bar is lower than −1 for plain EI, so unexplored points are worth more under NEI…
    for (const x of [0.3, 0.7]) expect(noisy(x)).toBeGreaterThan(plain(x) + 0.3);
    // …and running an evaluated configuration again cannot beat its own latent value, where
    // plain EI still sees the chance of another lucky draw.
    expect(noisy(0.1)).toBeLessThan(noisy(0.05) - 3);
    expect(plain(0.1)).toBeGreaterThan(plain(0.05) - 0.5);
  });

  it('counts repeated configurations once', () => {
    const posterior = posteriorOn([0.2, 0.2, 0.6], [0.1, 0.3, -0.4], 0.1);
    const nei = noisyExpectedImprovement(posterior, 32, createRng(5));
    expect(nei).not.toBeNull();
    expect(Number.isFinite(nei!(Float64Array.from([0.4])))).toBe(true);
  });
});
