import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/lib/rng';
import { fitOutputWarp, inverseYeoJohnson, yeoJohnson } from '../../../src/lib/tuner/warp';

describe('inverse output warp', () => {
  it('undoes Yeo-Johnson for every exponent in the fitted range', () => {
    fc.assert(
      fc.property(fc.double({ min: -50, max: 50, noNaN: true }), fc.double({ min: -1, max: 3, noNaN: true }), (y, lambda) => {
        const back = inverseYeoJohnson(yeoJohnson(y, lambda), lambda);
        expect(back).toBeCloseTo(y, 6);
      }),
      { seed: 11, numRuns: 300 },
    );
    for (const lambda of [0, 2]) expect(inverseYeoJohnson(yeoJohnson(-3.5, lambda), lambda)).toBeCloseTo(-3.5, 10);
  });

  it('is infinite beyond the range the transform can reach', () => {
    // For λ = −1 the transform of y ≥ 0 is y / (1 + y) < 1.
    expect(inverseYeoJohnson(0.999, -1)).toBeCloseTo(999, 6);
    expect(inverseYeoJohnson(1.5, -1)).toBe(Infinity);
    // For λ = 3 the transform of y < 0 is bounded below by −1.
    expect(inverseYeoJohnson(-1.5, 3)).toBe(-Infinity);
  });

  it('maps the warped values back to the originals, with and without the power transform', () => {
    const rng = createRng(4);
    // Heavy-tailed, like losses with a few diverged runs.
    const losses = Array.from({ length: 40 }, () => Math.exp(3 * rng.normal()));
    for (const powerTransform of [true, false]) {
      const warp = fitOutputWarp(losses, { powerTransform });
      warp.values.forEach((z, i) => expect(warp.inverse(z) / losses[i]).toBeCloseTo(1, 8));
    }
    const huge = [1e200, 3e200, 7e200, 2e201, 5e199];
    const warp = fitOutputWarp(huge);
    warp.values.forEach((z, i) => expect(warp.inverse(z) / huge[i]).toBeCloseTo(1, 8));
  });

  it('is increasing, and turns a symmetric band into an asymmetric one on skewed data', () => {
    const rng = createRng(9);
    const losses = Array.from({ length: 30 }, () => Math.exp(2 * rng.normal()));
    const warp = fitOutputWarp(losses);
    const grid = Array.from({ length: 41 }, (_, i) => -2 + i * 0.1).map((z) => warp.inverse(z));
    for (let i = 1; i < grid.length; i++) expect(grid[i]).toBeGreaterThan(grid[i - 1]);
    const mean = 0;
    const above = warp.inverse(mean + 1) - warp.inverse(mean);
    const below = warp.inverse(mean) - warp.inverse(mean - 1);
    expect(Math.abs(above / below - 1)).toBeGreaterThan(0.2);
  });

  it('predicts the constant when every value was the same', () => {
    const warp = fitOutputWarp([0.5, 0.5, 0.5, 0.5, 0.5]);
    expect(Array.from(warp.values)).toEqual([0, 0, 0, 0, 0]);
    expect(warp.inverse(1.7)).toBe(0.5);
  });
});
