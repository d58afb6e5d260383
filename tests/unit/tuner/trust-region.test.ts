import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/lib/rng';
import { decodeFeatures, encodeParams, encodingLayout, type SearchSpace } from '../../../src/lib/space';
import { maximizeAcquisition } from '../../../src/lib/tuner/acquisition';
import { GpPosterior, type GpData } from '../../../src/lib/tuner/gp';
import { matern52 } from '../../../src/lib/tuner/kernel';
import { insideBox, minimumStep, projectIntoBox, thompsonInBox, TrustRegion, withinStep, type FeatureBox } from '../../../src/lib/tuner/trust-region';

const space: SearchSpace = {
  a: { type: 'continuous', min: 0, max: 1 },
  b: { type: 'continuous', min: 0, max: 1 },
  n: { type: 'integer', min: 1, max: 9 },
  c: { type: 'categorical', values: ['x', 'y', 'z'] },
};
const layout = encodingLayout(space);

/** The hyperparameters the box reads: log lengthscales per parameter, then signal and noise variance. */
function model(lengthscales: number[], signal: number, noise: number) {
  return { theta: Float64Array.from([...lengthscales.map(Math.log), Math.log(signal), Math.log(noise)]), signal, noise };
}

describe('TrustRegion', () => {
  it('doubles the side after successTolerance successes in a row and halves it after failureTolerance failures in a row', () => {
    const region = new TrustRegion(4, { successTolerance: 2, failureTolerance: 3 });
    const start = region.baseSide;
    region.record(true);
    expect(region.baseSide).toBe(start);
    region.record(true);
    expect(region.baseSide).toBe(2 * start);
    // A success between failures starts their count again.
    region.record(false);
    region.record(false);
    region.record(true);
    region.record(false);
    region.record(false);
    expect(region.baseSide).toBe(2 * start);
    region.record(false);
    expect(region.baseSide).toBe(start);
  });

  it('weights the box by the lengthscales, floors it at the noise step, clips it to [0, 1] and fixes the categories', () => {
    const region = new TrustRegion(4, { kappa: 2 });
    const center = encodeParams(layout, { a: 0.5, b: 0.95, n: 5, c: 'y' });
    // Almost no noise: the side alone sets the widths, proportional to each lengthscale.
    const lengthscales = [1, 4, 2, 1];
    const quiet = region.box(layout, center, model(lengthscales, 1, 1e-8));
    const width = (box: FeatureBox, offset: number) => box.upper[offset] - box.lower[offset];
    const [a, b, n, c] = layout.blocks;
    expect(width(quiet, n.offset) / width(quiet, a.offset)).toBeCloseTo(2, 6);
    expect(quiet.upper[b.offset]).toBe(1); // clipped at the bound
    expect(quiet.lower[b.offset]).toBeCloseTo(0.95 - 2 * width(quiet, a.offset), 6);
    for (let k = 0; k < c.width; k++) expect(quiet.lower[c.offset + k]).toBe(center[c.offset + k]);
    for (let k = 0; k < c.width; k++) expect(quiet.upper[c.offset + k]).toBe(center[c.offset + k]);
    // Under noise the shortest lengthscale's half-width rises to lengthscale × minimumStep.
    const noisy = region.box(layout, center, model(lengthscales, 1, 0.02));
    const floor = 1 * minimumStep(1, 0.02, 2);
    expect(floor).toBeGreaterThan(width(quiet, a.offset) / 2);
    expect(width(noisy, a.offset)).toBeCloseTo(2 * floor, 9);
    // Noise as large as the signal: no step stands out, the box is the whole range.
    const loud = region.box(layout, center, model(lengthscales, 1, 0.5));
    expect([loud.lower[a.offset], loud.upper[a.offset]]).toEqual([0, 1]);
  });

  it('refuses tolerances that are not whole numbers of at least 1, and a negative or infinite kappa', () => {
    expect(() => new TrustRegion(2, { successTolerance: 0 })).toThrow(/at least 1/);
    expect(() => new TrustRegion(2, { kappa: -1 })).toThrow(/kappa/);
    expect(() => new TrustRegion(2, { failureTolerance: 2.5 })).toThrow('trust region failureTolerance must be a whole number of at least 1, got 2.5.');
    expect(() => new TrustRegion(2, { kappa: Infinity })).toThrow('kappa must be a finite number of at least 0, got Infinity.');
  });
});

describe('minimumStep', () => {
  it('is the scaled distance at which the latent difference has kappa times the σ of two runs’ difference', () => {
    for (const [signal, noise, kappa] of [[1, 0.01, 2], [2, 0.05, 1], [0.5, 0.001, 3]]) {
      const r = minimumStep(signal, noise, kappa);
      expect(2 * signal * (1 - matern52(r))).toBeCloseTo(kappa * kappa * 2 * noise, 9);
    }
    expect(minimumStep(1, 0.04, 2)).toBeGreaterThan(minimumStep(1, 0.01, 2));
    expect(minimumStep(1, 0.3, 2)).toBe(Infinity);
    expect(minimumStep(1, 0.3, 0)).toBe(0);
  });
});

describe('withinStep', () => {
  it('tells points nearer the centre than the noise step, in lengthscales, ignoring the categories', () => {
    const fitted = model([0.5, 2, 1, 1], 1, 0.01);
    const step = minimumStep(1, 0.01, 2);
    const near = withinStep(layout, encodeParams(layout, { a: 0.5, b: 0.5, n: 5, c: 'x' }), fitted, 2);
    // Along a (lengthscale 0.5) the step is half as long as along n (lengthscale 1).
    expect(near(encodeParams(layout, { a: 0.5 + 0.45 * step, b: 0.5, n: 5, c: 'y' }))).toBe(true);
    expect(near(encodeParams(layout, { a: 0.5 + 0.55 * step, b: 0.5, n: 5, c: 'x' }))).toBe(false);
    expect(near(encodeParams(layout, { a: 0.5, b: 0.5 + 1.9 * step, n: 5, c: 'x' }))).toBe(true);
    expect(near(encodeParams(layout, { a: 0.5, b: 0.5, n: 6, c: 'x' }))).toBe(0.125 < step);
  });
});

describe('projectIntoBox', () => {
  it('moves a point onto an encodable point inside the box, an integer to a value inside it', () => {
    const center = encodeParams(layout, { a: 0.5, b: 0.5, n: 5, c: 'z' });
    const box = new TrustRegion(4).box(layout, center, model([0.1, 0.1, 0.1, 1], 1, 1e-8));
    const far = encodeParams(layout, { a: 1, b: 0, n: 9, c: 'x' });
    const projected = projectIntoBox(layout, box, far);
    expect(insideBox(box, projected)).toBe(true);
    const params = decodeFeatures(layout, projected);
    expect(params.c).toBe('z');
    expect(Number.isInteger(params.n)).toBe(true);
    expect(params.n).not.toBe(9);
  });
});

/** A 2-d GP with its minimum near (0.9, 0.9), far outside a box around (0.3, 0.3). */
function slopedPosterior(): GpPosterior {
  const xs = [0.1, 0.1, 0.5, 0.5, 0.9, 0.9, 0.1, 0.9, 0.5, 0.3];
  const ys = [0.1, 0.1, 0.5, 0.5, 0.9, 0.9, 0.9, 0.1, 0.1, 0.7];
  const x = new Float64Array(20);
  const y = new Float64Array(10);
  for (let i = 0; i < 10; i++) {
    x[2 * i] = xs[i];
    x[2 * i + 1] = ys[i];
    y[i] = 1 - xs[i] - ys[i];
  }
  const data: GpData = { x, y, n: 10, dims: 2, groupOf: Int32Array.from([0, 1]), groups: 2 };
  return GpPosterior.fit(data, Float64Array.from([Math.log(0.6), Math.log(0.6), 0, Math.log(0.01)]))!;
}

describe('searching inside the box', () => {
  const plane: SearchSpace = { u: { type: 'continuous', min: 0, max: 1 }, v: { type: 'continuous', min: 0, max: 1 } };
  const planeLayout = encodingLayout(plane);
  const box: FeatureBox = { lower: Float64Array.from([0.2, 0.2]), upper: Float64Array.from([0.4, 0.4]) };

  it('maximizeAcquisition with a box returns a point inside it, at the corner nearest the outside minimum', () => {
    const posterior = slopedPosterior();
    const x = maximizeAcquisition({
      space: plane,
      layout: planeLayout,
      posterior,
      best: -0.8,
      incumbents: [Float64Array.from([0.3, 0.3])],
      isTaken: () => false,
      rng: createRng(1),
      globalCandidates: 200,
      criterion: (mean) => -mean,
      box,
    })!;
    expect(insideBox(box, x)).toBe(true);
    expect(x[0]).toBeCloseTo(0.4, 3);
    expect(x[1]).toBeCloseTo(0.4, 3);
  });

  it('thompsonInBox draws points inside the box, never a taken one, most often toward the lower mean', () => {
    const posterior = slopedPosterior();
    const rng = createRng(2);
    const taken = (x: Float64Array) => x[0] > 0.39 && x[1] > 0.39;
    let upper = 0;
    for (let i = 0; i < 40; i++) {
      const x = thompsonInBox(planeLayout, box, posterior, 64, rng, taken)!;
      expect(insideBox(box, x)).toBe(true);
      expect(taken(x)).toBe(false);
      if (x[0] + x[1] > 0.6) upper++;
    }
    expect(upper).toBeGreaterThan(30);
  });
});
