/**
 * Dense linear algebra on row-major Float64Arrays, sized for Gaussian processes of a few
 * hundred points. Only what the GP needs: Cholesky, triangular solves, inverse from a factor.
 */

/** Lower Cholesky factor of a symmetric n×n matrix, or null when it is not positive definite. */
export function cholesky(a: Float64Array, n: number, jitter = 0): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const rowJ = j * n;
    let diag = a[rowJ + j] + jitter;
    for (let k = 0; k < j; k++) diag -= l[rowJ + k] * l[rowJ + k];
    if (!(diag > 0) || !Number.isFinite(diag)) return null;
    const ljj = Math.sqrt(diag);
    l[rowJ + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const rowI = i * n;
      let s = a[rowI + j];
      for (let k = 0; k < j; k++) s -= l[rowI + k] * l[rowJ + k];
      l[rowI + j] = s / ljj;
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
  for (let i = 0; i < n; i++) {
    const row = i * n;
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[row + k] * b[k];
    b[i] = s / l[row + i];
  }
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

/** (L Lᵀ)⁻¹ from the factor, as a full symmetric matrix. */
export function inverseFromCholesky(l: Float64Array, n: number): Float64Array {
  // Invert L column by column (forward substitution on unit vectors), then form L⁻ᵀ L⁻¹.
  const li = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    li[j * n + j] = 1 / l[j * n + j];
    for (let i = j + 1; i < n; i++) {
      let s = 0;
      const row = i * n;
      for (let k = j; k < i; k++) s -= l[row + k] * li[k * n + j];
      li[row + j] = s / l[row + i];
    }
  }
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < n; k++) s += li[k * n + i] * li[k * n + j];
      inv[i * n + j] = s;
      inv[j * n + i] = s;
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
