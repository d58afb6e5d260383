import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/lib/rng';
import { boundedSubset, type RungResult } from '../../../src/lib/tuner/fidelity-subset';
import { HyperbandStrategy, type HyperbandSuggestion } from '../../../src/lib/tuner/hyperband';

/** Results as a Hyperband job tells them: `counts[k]` results at budget 3^k, interleaved, random values. */
function results(counts: number[], seed = 1): RungResult[] {
  const rng = createRng(seed);
  const left = [...counts];
  const out: RungResult[] = [];
  while (left.some((c) => c > 0)) {
    left.forEach((c, k) => {
      if (c > 0) {
        out.push({ budget: 3 ** k, value: rng.next() + (3 - k) });
        left[k]--;
      }
    });
  }
  return out;
}

const atBudget = (rs: RungResult[], indices: number[], budget: number) => indices.filter((i) => rs[i].budget === budget);

describe('the fidelity GP subset', () => {
  it('keeps every result while they fit the cap', () => {
    const rs = results([60, 40, 20, 10]);
    expect(boundedSubset(rs, 130)).toEqual(rs.map((_, i) => i));
  });

  it('past the cap keeps the whole top rung, holds the cap, and lists the results in the order told', () => {
    for (const counts of [
      [160, 120, 75, 45],
      [300, 10, 5, 2],
      [200, 100],
      [90, 90, 90, 0],
    ]) {
      const rs = results(counts);
      const kept = boundedSubset(rs, 150);
      expect(kept.length).toBeLessThanOrEqual(150);
      expect(new Set(kept).size).toBe(kept.length);
      expect(kept).toEqual([...kept].sort((a, b) => a - b));
      const top = Math.max(...rs.map((r) => r.budget));
      expect(atBudget(rs, kept, top)).toEqual(atBudget(rs, rs.map((_, i) => i), top));
      // The cap is used, not left half empty.
      expect(kept.length).toBe(150);
    }
  });

  it('shares the room equally among the lower rungs, passing on what a rung does not use', () => {
    const rs = results([200, 100, 10, 30]);
    const kept = boundedSubset(rs, 150);
    // 120 left for 3 rungs: the 9-epoch rung uses 10 of its 40, rung 3 then 55 of 55, rung 1 the other 55.
    expect(atBudget(rs, kept, 27)).toHaveLength(30);
    expect(atBudget(rs, kept, 9)).toHaveLength(10);
    expect(atBudget(rs, kept, 3)).toHaveLength(55);
    expect(atBudget(rs, kept, 1)).toHaveLength(55);
  });

  it('keeps the best half of a crowded rung, then its most recent results', () => {
    const rs = results([200, 0, 0, 40]);
    const kept = atBudget(rs, boundedSubset(rs, 150), 1);
    expect(kept).toHaveLength(110);
    const rung = atBudget(rs, rs.map((_, i) => i), 1);
    const byValue = [...rung].sort((a, b) => rs[a].value - rs[b].value);
    for (const i of byValue.slice(0, 55)) expect(kept).toContain(i);
    // The others kept are the most recent: every dropped result came before every kept one of them.
    const recent = kept.filter((i) => !byValue.slice(0, 55).includes(i));
    const dropped = rung.filter((i) => !kept.includes(i));
    expect(recent).toHaveLength(55);
    expect(Math.max(...dropped)).toBeLessThan(Math.min(...recent));
  });

  it('keeps a top rung larger than the cap whole, and a third of the cap for the rungs below', () => {
    const rs = results([100, 0, 0, 160]);
    const kept = boundedSubset(rs, 150);
    expect(atBudget(rs, kept, 27)).toHaveLength(160);
    expect(atBudget(rs, kept, 1)).toHaveLength(50);
  });

  it('refuses a cap that is not a whole number of at least 3', () => {
    expect(() => boundedSubset(results([5]), 2)).toThrow(/whole number ≥ 3/);
    expect(() => boundedSubset(results([5]), 10.5)).toThrow(/whole number ≥ 3/);
    expect(() => new HyperbandStrategy({ space: { x: { type: 'continuous', min: 0, max: 1 }, epochs: { type: 'integer', min: 1, max: 27 } }, goal: 'minimize', seed: 1, modelCap: 0 })).toThrow(
      /model cap must be a whole number ≥ 3, got 0/,
    );
  });

  it('lets a long Hyperband job with a small cap still sample near the optimum', () => {
    const loss = (x: number, epochs: number) => (x - 0.7) ** 2 + 0.3 / epochs;
    const hb = new HyperbandStrategy({ space: { x: { type: 'continuous', min: 0, max: 1 }, epochs: { type: 'integer', min: 1, max: 27 } }, goal: 'minimize', seed: 5, modelCap: 12 });
    const firsts: HyperbandSuggestion[] = [];
    let configs = 0;
    for (let i = 0; i < 160; i++) {
      const [t] = hb.ask(1);
      if (t.config > configs) firsts.push(t);
      configs = Math.max(configs, t.config);
      hb.tell(t.id, { value: loss(t.params.x as number, t.epochs) });
    }
    // Random draws would put 2 of 20 within 0.05 of the optimum; the GP, told only 12 of 160
    // results, puts half or more there (the rest explore where the dropped results had looked).
    const near = firsts.slice(-20).filter((t) => Math.abs((t.params.x as number) - 0.7) < 0.05);
    expect(near.length).toBeGreaterThanOrEqual(10);
  });
});
