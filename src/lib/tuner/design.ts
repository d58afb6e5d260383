import type { Rng } from '../rng';

/**
 * Space-filling point sets in the unit cube (one coordinate per parameter, as `fromUnitPoint`
 * reads them, so integer and categorical cells get balanced coverage too).
 */

/**
 * Latin hypercube: each coordinate's n strata are hit exactly once. Of a few random designs
 * the one with the largest minimum pairwise distance is kept, which avoids the near-diagonal
 * designs a single draw can give.
 */
export function latinHypercube(n: number, dims: number, rng: Rng, tries = 20): number[][] {
  let best: number[][] = [];
  let bestSpread = -1;
  for (let t = 0; t < tries; t++) {
    const columns = Array.from({ length: dims }, () => shuffledStrata(n, rng));
    const points = Array.from({ length: n }, (_, i) => columns.map((column) => column[i]));
    const spread = minDistance2(points);
    if (spread > bestSpread) {
      bestSpread = spread;
      best = points;
    }
  }
  return best;
}

function shuffledStrata(n: number, rng: Rng): number[] {
  const strata = Array.from({ length: n }, (_, i) => (i + rng.next()) / n);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [strata[i], strata[j]] = [strata[j], strata[i]];
  }
  return strata;
}

function minDistance2(points: number[][]): number {
  let min = Infinity;
  for (let i = 0; i < points.length; i++) {
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let d = 0; d < points[i].length; d++) s += (points[i][d] - points[j][d]) ** 2;
      min = Math.min(min, s);
    }
  }
  return min === Infinity ? 0 : min;
}

const PRIMES = [
  2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109, 113,
  127, 131, 137, 139, 149, 151, 157, 163, 167, 173, 179, 181, 191, 193, 197, 199, 211, 223, 227, 229,
];

/**
 * Halton sequence with random digit permutations per coordinate and digit position. The
 * permutations break the correlations plain Halton shows between high-prime coordinates,
 * and make each call's candidate set different while staying low-discrepancy. Beyond 50
 * coordinates it falls back to plain uniform draws.
 */
export function scrambledHalton(n: number, dims: number, rng: Rng): number[][] {
  const perms: number[][][] = [];
  const depth: number[] = [];
  for (let d = 0; d < dims; d++) {
    if (d >= PRIMES.length) continue;
    const base = PRIMES[d];
    // Enough digits to resolve 2⁻³² plus one, independent of n.
    depth[d] = Math.ceil(32 / Math.log2(base)) + 1;
    perms[d] = Array.from({ length: depth[d] }, () => permutation(base, rng));
  }
  const offset = rng.int(1 << 20);
  const points: number[][] = [];
  for (let i = 0; i < n; i++) {
    const point = new Array<number>(dims);
    for (let d = 0; d < dims; d++) {
      if (d >= PRIMES.length) {
        point[d] = rng.next();
        continue;
      }
      const base = PRIMES[d];
      let index = offset + i;
      let value = 0;
      let scale = 1 / base;
      for (let level = 0; level < depth[d]; level++) {
        value += perms[d][level][index % base] * scale;
        index = Math.floor(index / base);
        scale /= base;
      }
      point[d] = Math.min(value, 1 - 1e-12);
    }
    points.push(point);
  }
  return points;
}

function permutation(size: number, rng: Rng): number[] {
  const p = Array.from({ length: size }, (_, i) => i);
  for (let i = size - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}
