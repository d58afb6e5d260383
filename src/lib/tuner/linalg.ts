/**
 * Dense linear algebra on row-major Float64Arrays, sized for Gaussian processes of a few
 * hundred points. Only what the GP needs: Cholesky, triangular solves, inverse from a factor.
 */

/**
 * Σ x[xo + k] · y[yo + k] for k < length, in four interleaved partial sums: V8 keeps them in
 * registers and overlaps the multiplications, which makes the O(n³) loops below about 1.5× faster
 * than a single running sum. Every O(n³) and O(n²) loop here is such a contiguous dot product.
 */
export function dot(x: Float64Array, xo: number, y: Float64Array, yo: number, length: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < length; k += 4) {
    s0 += x[xo + k] * y[yo + k];
    s1 += x[xo + k + 1] * y[yo + k + 1];
    s2 += x[xo + k + 2] * y[yo + k + 2];
    s3 += x[xo + k + 3] * y[yo + k + 3];
  }
  for (; k < length; k++) s0 += x[xo + k] * y[yo + k];
  return s0 + s1 + (s2 + s3);
}

/** Lower Cholesky factor of a symmetric n×n matrix, or null when it is not positive definite. */
export function cholesky(a: Float64Array, n: number, jitter = 0): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const rowJ = j * n;
    const diag = a[rowJ + j] + jitter - dot(l, rowJ, l, rowJ, j);
    if (!(diag > 0) || !Number.isFinite(diag)) return null;
    const ljj = Math.sqrt(diag);
    l[rowJ + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const rowI = i * n;
      l[rowI + j] = (a[rowI + j] - dot(l, rowI, l, rowJ, j)) / ljj;
    }
  }
  return l;
}

/**
 * Cholesky that retries with growing diagonal jitter: near-duplicate inputs with a tiny noise
 * make the kernel matrix numerically singular, and a little jitter is a far better outcome
 * than no model. Returns null only if even a large jitter fails (NaN inputs).
 */
export function choleskyWithJitter(a: Float64Array, n: number): { l: Float64Array; jitter: number } | null {
  const direct = cholesky(a, n);
  if (direct) return { l: direct, jitter: 0 };
  let meanDiag = 0;
  for (let i = 0; i < n; i++) meanDiag += a[i * n + i];
  meanDiag = n > 0 ? Math.max(meanDiag / n, 1e-12) : 1;
  for (let jitter = 1e-10 * meanDiag; jitter <= 1e-1 * meanDiag; jitter *= 10) {
    const l = cholesky(a, n, jitter);
    if (l) return { l, jitter };
  }
  return null;
}

/** Solves L x = b in place (L lower triangular, n×n). */
export function solveLower(l: Float64Array, n: number, b: Float64Array): Float64Array {
  for (let i = 0; i < n; i++) b[i] = (b[i] - dot(l, i * n, b, 0, i)) / l[i * n + i];
  return b;
}

/** Solves Lᵀ x = b in place. */
export function solveUpper(l: Float64Array, n: number, b: Float64Array): Float64Array {
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * b[k];
    b[i] = s / l[i * n + i];
  }
  return b;
}

/**
 * (L Lᵀ)⁻¹ from the factor, as a full symmetric matrix: L⁻¹ is built column by column and
 * stored transposed, so that both passes are contiguous dot products.
 */
export function inverseFromCholesky(l: Float64Array, n: number): Float64Array {
  // Row j of `t` is column j of L⁻¹: t[j][i] = −(Σ_{j≤k<i} L[i][k] t[j][k]) / L[i][i] for i > j.
  const t = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const rowJ = j * n;
    t[rowJ + j] = 1 / l[rowJ + j];
    for (let i = j + 1; i < n; i++) {
      const rowI = i * n;
      t[rowJ + i] = -dot(l, rowI + j, t, rowJ + j, i - j) / l[rowI + i];
    }
  }
  // (L⁻ᵀ L⁻¹)[i][j] = Σ_k L⁻¹[k][i] L⁻¹[k][j], and L⁻¹[k][i] = 0 for k < i.
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const rowI = i * n;
    for (let j = 0; j <= i; j++) {
      const rowJ = j * n;
      const s = dot(t, rowI + i, t, rowJ + i, n - i);
      inv[rowI + j] = s;
      inv[rowJ + i] = s;
    }
  }
  return inv;
}

/**
 * Factor of the matrix grown by m rows/columns, given the factor of its leading n×n block.
 * `cross` is n×m (row-major) and `corner` m×m. Costs O(m n²) instead of a fresh O((n+m)³).
 */
export function extendCholesky(
  l: Float64Array,
  n: number,
  cross: Float64Array,
  corner: Float64Array,
  m: number,
): Float64Array | null {
  const size = n + m;
  const out = new Float64Array(size * size);
  for (let i = 0; i < n; i++) out.set(l.subarray(i * n, i * n + i + 1), i * size);
  // Rows below: the off-diagonal block is L⁻¹ cross, the new corner is a Cholesky of the Schur complement.
  const b = new Float64Array(n);
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < n; i++) b[i] = cross[i * m + j];
    solveLower(l, n, b);
    out.set(b, (n + j) * size);
  }
  const schur = new Float64Array(m * m);
  for (let a = 0; a < m; a++) {
    for (let c = 0; c <= a; c++) {
      let s = corner[a * m + c];
      const ra = (n + a) * size;
      const rc = (n + c) * size;
      for (let k = 0; k < n; k++) s -= out[ra + k] * out[rc + k];
      schur[a * m + c] = s;
      schur[c * m + a] = s;
    }
  }
  const factored = choleskyWithJitter(schur, m);
  if (!factored) return null;
  for (let a = 0; a < m; a++) {
    for (let c = 0; c <= a; c++) out[(n + a) * size + n + c] = factored.l[a * m + c];
  }
  return out;
}
