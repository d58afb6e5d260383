import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/lib/rng';
import { curveKernel } from '../../../src/lib/tuner/curve-kernel';
import { fitHyperparameters } from '../../../src/lib/tuner/fit';
import { GpPosterior, type GpData, type Theta } from '../../../src/lib/tuner/gp';
import { invertAndDet, matern, numericGradient } from './reference-gp';

/**
 * Points of two parameters (a continuous one, and a categorical's one-hot pair sharing one
 * lengthscale) and the budget last, in [0, 1]: the lowest budget, two between, and the full one twice.
 */
const points = [
  [0.1, 1, 0, 0],
  [0.5, 0, 1, 0.3],
  [0.8, 1, 0, 1],
  [0.3, 0, 1, 0.7],
  [0.6, 1, 0, 1],
];
const y = [1.4, -0.2, -1.1, 0.3, -0.6];
const groupOf = [0, 1, 1, 2];
const data: GpData = { x: Float64Array.from(points.flat()), y: Float64Array.from(y), n: points.length, dims: 4, groupOf: Int32Array.from(groupOf), groups: 3 };
// [ℓ₁ ×2, ℓ₂ ×2, σ₁², σ₂², β², p, ℓ_s, σ²_n]
const theta = Float64Array.from([0.4, 0.9, 0.7, 1.5, 1.3, 0.6, 0.8, 1.6, 0.5, 0.02].map(Math.log));

// The sum with the feature Matérn: θ adds [ℓ_a ×3 (the budget's last), σ_a²] before σ²_n.
const sumTheta = Float64Array.from([...Array.from(theta.subarray(0, 9)), ...[0.5, 1.1, 0.4, 0.7].map(Math.log), theta[9]]);

/**
 * The kernel written out from its definition: σ₁² M(ℓ₁) + (1−s)^p (1−s′)^p M(|s − s′|/ℓ_s) (β² + σ₂² M(ℓ₂)),
 * plus σ_a² M((x, s), (x′, s′); ℓ_a) when θ has the feature Matérn's entries.
 */
function reference(t: Theta) {
  const e = Array.from(t, Math.exp);
  const [l1, l2] = [e.slice(0, 2), e.slice(2, 4)];
  const [full, gap, bias, power, budgetScale] = e.slice(4, 9);
  const withFeature = t.length === sumTheta.length;
  const la = withFeature ? e.slice(9, 12) : [];
  const joint = withFeature ? e[12] : 0;
  const noise = e[e.length - 1];
  const distance = (a: number[], b: number[], ls: number[]) => Math.sqrt(a.slice(0, 3).reduce((s, v, d) => s + ((v - b[d]) / ls[groupOf[d]]) ** 2, 0));
  const phi = (s: number) => (1 - s) ** power;
  const k = (a: number[], b: number[]) =>
    full * matern(distance(a, b, l1)) +
    phi(a[3]) * phi(b[3]) * matern(Math.abs(a[3] - b[3]) / budgetScale) * (bias + gap * matern(distance(a, b, l2))) +
    (withFeature ? joint * matern(Math.sqrt(distance(a, b, la) ** 2 + ((a[3] - b[3]) / la[2]) ** 2)) : 0);
  const kk = points.map((a, i) => points.map((b, j) => k(a, b) + (i === j ? noise : 0)));
  const { inv, det } = invertAndDet(kk);
  const alpha = inv.map((row) => row.reduce((s, v, j) => s + v * y[j], 0));
  const lml = -0.5 * y.reduce((s, v, i) => s + v * alpha[i], 0) - 0.5 * Math.log(det) - 0.5 * points.length * Math.log(2 * Math.PI);
  return { k, inv, alpha, lml };
}

describe('learning-curve kernel', () => {
  it('matches the explicit log marginal likelihood, and its gradient matches finite differences', () => {
    const grad = new Float64Array(theta.length);
    const value = curveKernel().likelihood(data)(theta, grad);
    expect(value).toBeCloseTo(reference(theta).lml, 10);
    numericGradient((t) => reference(t).lml, theta).forEach((numeric, i) => expect(grad[i], `θ[${i}]`).toBeCloseTo(numeric, 5));
  });

  it('with the feature Matérn added, matches the explicit likelihood, its gradient and posterior', () => {
    const family = curveKernel(undefined, { feature: true });
    const grad = new Float64Array(sumTheta.length);
    expect(family.likelihood(data)(sumTheta, grad)).toBeCloseTo(reference(sumTheta).lml, 10);
    numericGradient((t) => reference(t).lml, sumTheta).forEach((numeric, i) => expect(grad[i], `θ[${i}]`).toBeCloseTo(numeric, 5));
    expect(family.prior(data).mean.length).toBe(sumTheta.length);
    const posterior = GpPosterior.fit(data, sumTheta, family.covariance(data, sumTheta))!;
    const ref = reference(sumTheta);
    const query = [0.45, 1, 0, 0.5];
    const kx = points.map((p) => ref.k(p, query));
    expect(posterior.predict(Float64Array.from(query)).mean).toBeCloseTo(kx.reduce((s, v, i) => s + v * ref.alpha[i], 0), 10);
    // The sum differs from the curve kernel alone by the feature term.
    expect(reference(sumTheta).lml).not.toBeCloseTo(reference(theta).lml, 3);
  });

  it('predicts the explicit posterior, with the gap gone at the full budget', () => {
    const posterior = GpPosterior.fit(data, theta, curveKernel().covariance(data, theta))!;
    const ref = reference(theta);
    for (const query of [[0.2, 1, 0, 1], [0.7, 0, 1, 0], [0.5, 0, 1, 0.3], [0.45, 1, 0, 0.5]]) {
      const kx = points.map((p) => ref.k(p, query));
      const mean = kx.reduce((s, v, i) => s + v * ref.alpha[i], 0);
      const variance = ref.k(query, query) - kx.reduce((s, v, i) => s + v * ref.inv[i].reduce((a, w, j) => a + w * kx[j], 0), 0);
      const got = posterior.predict(Float64Array.from(query));
      expect(got.mean).toBeCloseTo(mean, 10);
      expect(got.variance).toBeCloseTo(variance, 10);
    }
    // At the full budget the prior variance is f_full's alone.
    const fresh = GpPosterior.fit({ ...data, n: 0, x: new Float64Array(0), y: new Float64Array(0) }, theta, curveKernel().covariance(data, theta))!;
    expect(fresh.predict(Float64Array.from([0.2, 1, 0, 1])).variance).toBeCloseTo(Math.exp(theta[4]), 12);
    expect(fresh.predict(Float64Array.from([0.2, 1, 0, 0])).variance).toBeCloseTo(1.3 + 0.6 + 0.8, 12);
  });

  it('refuses data whose last group is not a single budget feature', () => {
    expect(() => curveKernel().prior({ ...data, groupOf: Int32Array.from([0, 1, 2, 2]) })).toThrow(/budget as the last group/);
    expect(() => curveKernel().prior({ ...data, dims: 1, x: new Float64Array(5), groupOf: Int32Array.from([0]), groups: 1 })).toThrow(/at least one parameter/);
  });

  it('recovers f_full at the full budget from mostly short runs of f_full + φ·g', () => {
    // Two parameters; the gap g is positive, varies with x and is not shaped like f_full, and
    // closes as (1 − s)² (a different power from the prior's centre, p = 1).
    const fFull = (a: number, b: number) => Math.sin(5 * a) + 0.6 * b;
    const g = (a: number, b: number) => 1.2 + 0.8 * Math.cos(4 * b) + 0.5 * a;
    const rng = createRng(11);
    const rows: number[][] = [];
    const values: number[] = [];
    // Hyperband-like: many configurations at the lowest budgets, few at the full one.
    for (const [s, count] of [[0, 30], [1 / 3, 14], [2 / 3, 8], [1, 6]] as const) {
      for (let i = 0; i < count; i++) {
        const [a, b] = [rng.next(), rng.next()];
        rows.push([a, b, s]);
        values.push(fFull(a, b) + (1 - s) ** 2 * g(a, b));
      }
    }
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
    const d: GpData = { x: Float64Array.from(rows.flat()), y: Float64Array.from(values, (v) => (v - mean) / sd), n: rows.length, dims: 3, groupOf: Int32Array.from([0, 1, 2]), groups: 3 };
    const t = fitHyperparameters(d, { rng: createRng(2), fromPrior: true, randomStarts: 3, maxIterations: 80, family: curveKernel() });
    const posterior = GpPosterior.fit(d, t, curveKernel().covariance(d, t))!;
    let squared = 0;
    let spread = 0;
    const tests = 40;
    for (let i = 0; i < tests; i++) {
      const [a, b] = [rng.next(), rng.next()];
      const predicted = mean + sd * posterior.predict(Float64Array.from([a, b, 1])).mean;
      squared += (predicted - fFull(a, b)) ** 2;
      spread += (fFull(a, b) - 0.6 * 0.5) ** 2;
    }
    // Within 2 % of f_full's own spread (0.75), though 52 of the 58 runs were short; and the
    // learned power is the curve's.
    expect(Math.sqrt(squared / tests)).toBeLessThan(0.02 * Math.sqrt(spread / tests));
    expect(Math.exp(t[7])).toBeGreaterThan(1.7);
    expect(Math.exp(t[7])).toBeLessThan(2.3);
  });
});
