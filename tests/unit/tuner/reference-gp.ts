/**
 * An independent, textbook GP for the tests to check the fast code against: the Matérn-5/2
 * correlation written out, and a Gauss-Jordan inverse with the determinant.
 */

export function matern(r: number): number {
  return (1 + Math.sqrt(5) * r + (5 / 3) * r * r) * Math.exp(-Math.sqrt(5) * r);
}

export function invertAndDet(m: number[][]): { inv: number[][]; det: number } {
  const n = m.length;
  const a = m.map((row, i) => [...row, ...row.map((_, j) => (i === j ? 1 : 0))]);
  let det = 1;
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[pivot][c])) pivot = r;
    if (pivot !== c) {
      [a[c], a[pivot]] = [a[pivot], a[c]];
      det = -det;
    }
    det *= a[c][c];
    const p = a[c][c];
    for (let j = 0; j < 2 * n; j++) a[c][j] /= p;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r][c];
      for (let j = 0; j < 2 * n; j++) a[r][j] -= f * a[c][j];
    }
  }
  return { inv: a.map((row) => row.slice(n)), det };
}

/** Central differences of `f` at θ, one per entry (step 1e-6), to check an analytic gradient against. */
export function numericGradient(f: (theta: Float64Array) => number, theta: Float64Array): number[] {
  const h = 1e-6;
  return Array.from(theta, (_, i) => {
    const up = Float64Array.from(theta);
    const down = Float64Array.from(theta);
    up[i] += h;
    down[i] -= h;
    return (f(up) - f(down)) / (2 * h);
  });
}
