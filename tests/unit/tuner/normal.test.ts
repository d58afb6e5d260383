import { describe, expect, it } from 'vitest';
import { erfc, logExpectedImprovement, logH, normalCdf, normalPdf } from '../../../src/lib/tuner/normal';

/** EI by numerical integration of max(best − f, 0)·density: independent of any closed form. */
function eiByQuadrature(mean: number, sd: number, best: number): number {
  const steps = 20000;
  const lo = mean - 12 * sd;
  const hi = Math.min(best, mean + 12 * sd);
  if (hi <= lo) return 0;
  const h = (hi - lo) / steps;
  let total = 0;
  for (let i = 0; i <= steps; i++) {
    const f = lo + i * h;
    const w = i === 0 || i === steps ? 0.5 : 1;
    total += w * (best - f) * Math.exp(-0.5 * ((f - mean) / sd) ** 2) / (sd * Math.sqrt(2 * Math.PI));
  }
  return total * h;
}

describe('normal distribution and LogEI', () => {
  it('computes erfc and the normal cdf to near double precision', () => {
    expect(erfc(0.5)).toBeCloseTo(0.4795001221869535, 14);
    expect(erfc(3) / 2.209049699858544e-5).toBeCloseTo(1, 12);
    expect(erfc(10) / 2.088487583762545e-45).toBeCloseTo(1, 12);
    expect(normalCdf(-1.96)).toBeCloseTo(0.024997895148220435, 13);
    expect(normalCdf(0)).toBe(0.5);
  });

  it('matches log(EI) computed directly where EI is large', () => {
    for (const [mean, sd, best] of [[0, 1, 0.5], [1, 0.3, 0.2], [-2, 2, -1], [0.3, 0.1, 0.3], [5, 1, 2.5]]) {
      const direct = Math.log(sd * (normalPdf((best - mean) / sd) + ((best - mean) / sd) * normalCdf((best - mean) / sd)));
      expect(logExpectedImprovement(mean, sd, best)).toBeCloseTo(direct, 10);
      expect(logExpectedImprovement(mean, sd, best)).toBeCloseTo(Math.log(eiByQuadrature(mean, sd, best)), 5);
    }
  });

  it('stays finite, smooth and decreasing where EI underflows to 0', () => {
    const zs = [-2.9, -2.99999, -3, -3.00001, -5, -10, -38, -40, -100, -1e4, -1e8];
    const values = zs.map(logH);
    for (const v of values) expect(Number.isFinite(v)).toBe(true);
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeLessThan(values[i - 1]);
    expect(Math.abs(logH(-2.9999999) - logH(-3.0000001))).toBeLessThan(1e-5);
    // Direct EI is 0 here, so log(EI) is -Infinity; LogEI follows the asymptote -z²/2 - log(z²√(2π)).
    expect(normalPdf(-40) - 40 * normalCdf(-40)).toBe(0);
    expect(logH(-40)).toBeCloseTo(-800 - Math.log(1600 * Math.sqrt(2 * Math.PI)), 2);
    expect(Number.isFinite(logExpectedImprovement(100, 1e-3, 0))).toBe(true);
  });

  it('handles zero uncertainty as plain improvement', () => {
    expect(logExpectedImprovement(1, 0, 3)).toBeCloseTo(Math.log(2), 12);
    expect(logExpectedImprovement(3, 0, 1)).toBe(-Infinity);
  });
});
