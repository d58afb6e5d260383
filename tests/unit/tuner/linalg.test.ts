import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/lib/rng';
import { cholesky, dot, extendCholesky, inverseFromCholesky, solveLower, solveUpper } from '../../../src/lib/tuner/linalg';

/** A random symmetric positive definite n×n matrix B Bᵀ + n I. */
function spd(n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const b = Float64Array.from({ length: n * n }, () => rng.normal());
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = i === j ? n : 0;
      for (let k = 0; k < n; k++) s += b[i * n + k] * b[j * n + k];
      a[i * n + j] = s;
    }
  }
  return a;
}

function product(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) out[i * n + j] += a[i * n + k] * b[k * n + j];
  return out;
}

function transpose(a: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[j * n + i] = a[i * n + j];
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

describe('linalg', () => {
  it('dot sums every term, whatever the length modulo the unrolling', () => {
    const x = Float64Array.from({ length: 11 }, (_, i) => i + 1);
    const y = Float64Array.from({ length: 11 }, (_, i) => (i % 3) - 1);
    for (let length = 0; length <= 9; length++) {
      let expected = 0;
      for (let k = 0; k < length; k++) expected += x[2 + k] * y[1 + k];
      expect(dot(x, 2, y, 1, length)).toBe(expected);
    }
  });

  it('factors, solves and inverts: L Lᵀ = A, L Lᵀ x = b, A A⁻¹ = I', () => {
    for (const n of [1, 2, 7, 30]) {
      const a = spd(n, n);
      const l = cholesky(a, n)!;
      expect(maxAbsDiff(product(l, transpose(l, n), n), a)).toBeLessThan(1e-9 * n * n);
      const b = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1));
      const x = solveUpper(l, n, solveLower(l, n, Float64Array.from(b)));
      const ax = Float64Array.from({ length: n }, (_, i) => dot(a, i * n, x, 0, n));
      expect(maxAbsDiff(ax, b)).toBeLessThan(1e-10);
      const identity = Float64Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0));
      const inverse = inverseFromCholesky(l, n);
      expect(maxAbsDiff(product(a, inverse, n), identity)).toBeLessThan(1e-10);
      expect(maxAbsDiff(inverse, transpose(inverse, n))).toBe(0);
    }
    expect(cholesky(Float64Array.from([1, 2, 2, 1]), 2)).toBeNull();
  });

  it('extends a factor by new rows to the factor of the whole matrix', () => {
    const size = 12;
    const a = spd(size, 5);
    for (const n of [0, 1, 9, 11]) {
      const m = size - n;
      const lead = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) lead[i * n + j] = a[i * size + j];
      const cross = new Float64Array(n * m);
      for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) cross[i * m + j] = a[i * size + n + j];
      const corner = new Float64Array(m * m);
      for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) corner[i * m + j] = a[(n + i) * size + n + j];
      const extended = extendCholesky(cholesky(lead, n)!, n, cross, corner, m)!;
      expect(maxAbsDiff(extended, cholesky(a, size)!)).toBeLessThan(1e-12);
    }
  });

});
