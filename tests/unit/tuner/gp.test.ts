import { describe, expect, it } from 'vitest';
import { GpPosterior, logMarginalLikelihood, pairGroupDistances, type GpData } from '../../../src/lib/tuner/gp';
import { fitHyperparameters, maternKernel, NOISE_FLOOR } from '../../../src/lib/tuner/fit';
import { choleskyWithJitter } from '../../../src/lib/tuner/linalg';
import { createRng } from '../../../src/lib/rng';
import { invertAndDet, matern, numericGradient } from './reference-gp';

/** The Matérn ARD kernel written out, for the independent reference below. */
function kernel(a: number[], b: number[], ls: number[], groupOf: number[], signal: number): number {
  let r2 = 0;
  a.forEach((v, d) => (r2 += ((v - b[d]) / ls[groupOf[d]]) ** 2));
  return signal * matern(Math.sqrt(r2));
}

// Three 2-feature points, plus a categorical one-hot block sharing one lengthscale.
const points = [
  [0.1, 0.2, 1, 0],
  [0.5, 0.9, 0, 1],
  [0.8, 0.4, 1, 0],
  [0.3, 0.6, 0, 1],
];
const y = [0.5, -1.2, 0.9, 0.1];
const groupOf = [0, 1, 2, 2];
const ls = [0.4, 0.7, 1.3];
const signal = 1.7;
const noise = 0.05;
const data: GpData = { x: Float64Array.from(points.flat()), y: Float64Array.from(y), n: 4, dims: 4, groupOf: Int32Array.from(groupOf), groups: 3 };
const theta = Float64Array.from([...ls.map(Math.log), Math.log(signal), Math.log(noise)]);

function reference(thetaValues: Float64Array) {
  const l = [0, 1, 2].map((g) => Math.exp(thetaValues[g]));
  const s = Math.exp(thetaValues[3]);
  const nz = Math.exp(thetaValues[4]);
  const k = points.map((a, i) => points.map((b, j) => kernel(a, b, l, groupOf, s) + (i === j ? nz : 0)));
  const { inv, det } = invertAndDet(k);
  const alpha = inv.map((row) => row.reduce((acc, v, j) => acc + v * y[j], 0));
  const lml = -0.5 * y.reduce((acc, v, i) => acc + v * alpha[i], 0) - 0.5 * Math.log(det) - 2 * Math.log(2 * Math.PI);
  return { l, s, inv, alpha, lml };
}

describe('GP posterior', () => {
  it('matches an explicit-inverse computation of the posterior mean and variance', () => {
    const posterior = GpPosterior.fit(data, theta)!;
    const ref = reference(theta);
    for (const query of [[0.2, 0.3, 1, 0], [0.9, 0.9, 0, 1], [0.5, 0.9, 0, 1]]) {
      const kx = points.map((p) => kernel(p, query, ref.l, groupOf, signal));
      const mean = kx.reduce((acc, v, i) => acc + v * ref.alpha[i], 0);
      const variance = signal - kx.reduce((acc, v, i) => acc + v * ref.inv[i].reduce((a2, w, j) => a2 + w * kx[j], 0), 0);
      const got = posterior.predict(Float64Array.from(query));
      expect(got.mean).toBeCloseTo(mean, 10);
      expect(got.variance).toBeCloseTo(variance, 10);
    }
  });

  it('matches the explicit log marginal likelihood, and its gradient matches finite differences', () => {
    const pairs = pairGroupDistances(data);
    const grad = new Float64Array(5);
    const value = logMarginalLikelihood(theta, data, pairs, grad);
    expect(value).toBeCloseTo(reference(theta).lml, 10);
    numericGradient((t) => reference(t).lml, theta).forEach((numeric, i) => expect(grad[i], `θ[${i}]`).toBeCloseTo(numeric, 5));
  });

  it('conditions the variance on believed points without moving the mean (kriging believer)', () => {
    const posterior = GpPosterior.fit(data, theta)!;
    const pendingPoint = Float64Array.from([0.6, 0.1, 1, 0]);
    const believed = posterior.believe(pendingPoint, 1);
    const before = posterior.predict(pendingPoint);
    const after = believed.predict(pendingPoint);
    expect(after.mean).toBeCloseTo(before.mean, 12);
    expect(after.variance).toBeLessThan(before.variance);
    expect(after.variance).toBeLessThanOrEqual(noise * 1.01);
    // The same as refitting with the fantasy observation at the mean.
    const augmented: GpData = {
      ...data,
      n: 5,
      x: Float64Array.from([...points.flat(), ...pendingPoint]),
      y: Float64Array.from([...y, before.mean]),
    };
    const refit = GpPosterior.fit(augmented, theta)!;
    const query = Float64Array.from([0.55, 0.2, 1, 0]);
    expect(believed.predict(query).variance).toBeCloseTo(refit.predict(query).variance, 10);
    expect(believed.predict(query).mean).toBeCloseTo(refit.predict(query).mean, 10);
  });

  it('extends a posterior by new points (with all outputs changed) to the same as a fresh fit', () => {
    const rng = createRng(8);
    const n = 40;
    const dims = 3;
    const x = Float64Array.from({ length: n * dims }, () => rng.next());
    const y = Float64Array.from({ length: n }, (_, i) => Math.sin(5 * x[i * dims]) + x[i * dims + 1]);
    const all: GpData = { x, y, n, dims, groupOf: Int32Array.from([0, 1, 2]), groups: 3 };
    const t = Float64Array.from([Math.log(0.3), Math.log(0.6), Math.log(2), 0.2, Math.log(1e-4)]);
    const fresh = GpPosterior.fit(all, t)!;
    for (const first of [1, 25, 39, 40]) {
      // The first points' outputs as they were before the new points re-standardized them.
      const earlier: GpData = { ...all, n: first, x: x.slice(0, first * dims), y: y.slice(0, first).map((v) => 3 * v - 1) };
      const extended = GpPosterior.fit(earlier, t)!.extend(all)!;
      for (let q = 0; q < 5; q++) {
        const query = Float64Array.from({ length: dims }, () => rng.next());
        expect(extended.predict(query).mean).toBeCloseTo(fresh.predict(query).mean, 9);
        expect(extended.predict(query).variance).toBeCloseTo(fresh.predict(query).variance, 9);
      }
    }
    // A posterior that holds believed points cannot be extended, nor shrunk.
    expect(fresh.believe(Float64Array.from([0.5, 0.5, 0.5]), 1).extend(all)).toBeNull();
    expect(fresh.extend({ ...all, n: 10, x: x.slice(0, 30), y: y.slice(0, 10) })).toBeNull();
    // Nor extended by data whose first rows are not its points: those need a fresh fit.
    const earlier = GpPosterior.fit({ ...all, n: 20, x: x.slice(0, 20 * dims), y: y.slice(0, 20) }, t)!;
    const moved = x.slice();
    moved[7 * dims + 1] += 1e-9;
    expect(earlier.extend({ ...all, x: moved })).toBeNull();
    expect(earlier.extend(all)).not.toBeNull();
  });

  it('stays finite with duplicate inputs, constant outputs and an outlier', () => {
    const dup: GpData = { ...data, x: Float64Array.from([...points[0], ...points[0], ...points[1], ...points[1]]), y: Float64Array.from([0, 0, 0, 0]) };
    const fitted = fitHyperparameters(dup, { rng: createRng(1), randomStarts: 2, maxIterations: 30, fromPrior: true });
    for (const v of fitted) expect(Number.isFinite(v)).toBe(true);
    const posterior = GpPosterior.fit(dup, fitted)!;
    const p = posterior.predict(Float64Array.from([0.3, 0.3, 1, 0]));
    expect(Number.isFinite(p.mean) && Number.isFinite(p.variance) && p.variance > 0).toBe(true);
    const outlier: GpData = { ...data, y: Float64Array.from([0, 0.1, -0.1, 40]) };
    const t2 = fitHyperparameters(outlier, { rng: createRng(2), randomStarts: 2, maxIterations: 30, fromPrior: true });
    const q = GpPosterior.fit(outlier, t2)!.predict(Float64Array.from([0.3, 0.3, 1, 0]));
    expect(Number.isFinite(q.mean) && Number.isFinite(q.variance)).toBe(true);
  });

  it('falls back to jitter when the matrix is singular', () => {
    const singular = Float64Array.from([1, 1, 1, 1]);
    const result = choleskyWithJitter(singular, 2)!;
    expect(result.jitter).toBeGreaterThan(0);
    expect(Number.isFinite(result.l[3])).toBe(true);
  });

  it('recovers a short lengthscale on a wiggly function and a long one on an irrelevant input', () => {
    const rng = createRng(5);
    const n = 30;
    const xs = Array.from({ length: n }, () => [rng.next(), rng.next()]);
    const ys = xs.map(([a]) => Math.sin(12 * a));
    const mean = ys.reduce((s, v) => s + v, 0) / n;
    const sd = Math.sqrt(ys.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
    const d: GpData = { x: Float64Array.from(xs.flat()), y: Float64Array.from(ys.map((v) => (v - mean) / sd)), n, dims: 2, groupOf: Int32Array.from([0, 1]), groups: 2 };
    const t = fitHyperparameters(d, { rng: createRng(3), randomStarts: 3, maxIterations: 60, fromPrior: true });
    expect(Math.exp(t[0])).toBeLessThan(0.5);
    expect(Math.exp(t[1])).toBeGreaterThan(2 * Math.exp(t[0]));
    expect(Math.exp(t[3])).toBeLessThan(0.01);
  });

  it('on noiseless data fits the noise on the floor, and below it under a family with a lower floor (Hyperband)', () => {
    const rng = createRng(6);
    const n = 40;
    const xs = Array.from({ length: n }, () => [rng.next(), rng.next()]);
    const ys = xs.map(([a, b]) => Math.sin(2 * a) + b * b);
    const mean = ys.reduce((s, v) => s + v, 0) / n;
    const sd = Math.sqrt(ys.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
    const d: GpData = { x: Float64Array.from(xs.flat()), y: Float64Array.from(ys.map((v) => (v - mean) / sd)), n, dims: 2, groupOf: Int32Array.from([0, 1]), groups: 2 };
    const options = { rng: createRng(4), randomStarts: 2, maxIterations: 60, fromPrior: true };
    const noiseOf = (t: Float64Array) => Math.exp(t[t.length - 1]);
    expect(noiseOf(fitHyperparameters(d, options))).toBeCloseTo(NOISE_FLOOR, 12);
    const low = noiseOf(fitHyperparameters(d, { ...options, family: maternKernel(1e-9) }));
    expect(low).toBeLessThan(NOISE_FLOOR / 10);
    expect(low).toBeGreaterThanOrEqual(1e-9 * (1 - 1e-9));
  });
});
