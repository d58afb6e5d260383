/**
 * Which results the GP over configuration and budget is fitted to once a job has more than it
 * can afford (docs/TUNER.md, Hyperband, Cost). A fit costs O(n³) and every scored candidate
 * O(n²), and Hyperband tells the model about twice as many results as a Bayesian job of the
 * same length, so past the cap the model sees a subset chosen for what the full-budget
 * prediction needs.
 */

/** Results the sampling GP is fitted to at most, the top rung aside (docs/PERFORMANCE.md, Ask latency). */
export const DEFAULT_MODEL_CAP = 150;

/** One result as the subset rule sees it: its budget (a rung's epochs) and its value oriented for minimization. */
export interface RungResult {
  budget: number;
  value: number;
}

/**
 * The indices (ascending, i.e. in the order told) of the results to fit, at most `cap` unless
 * the highest rung reached holds more than two thirds of the cap on its own:
 * - every result at the highest rung reached is kept: they are the values the model predicts
 *   and the incumbent is chosen among; the brackets alone make few (8 runs in 69 with η = 3,
 *   1–27 epochs), and once exploitation sends most runs there they are a Bayesian search's trials;
 * - the rest of the cap (at least a third of it) is shared equally by the lower rungs, highest
 *   first, a share a rung does not use passing to the next;
 * - a rung with more results than its share keeps its best half (by value: mostly the
 *   configurations promoted from it, whose results higher up are kept too, so the model sees
 *   how the value changes with epochs) and then its most recent results (where the search is
 *   now), so the model still knows the region a low rung has ruled out lately.
 */
export function boundedSubset(results: readonly RungResult[], cap = DEFAULT_MODEL_CAP): number[] {
  assertModelCap(cap);
  if (results.length <= cap) return results.map((_, i) => i);
  const top = Math.max(...results.map((r) => r.budget));
  const byRung = new Map<number, number[]>();
  results.forEach((r, i) => {
    const list = byRung.get(r.budget);
    if (list) list.push(i);
    else byRung.set(r.budget, [i]);
  });
  const kept = [...(byRung.get(top) ?? [])];
  const lower = [...byRung.keys()].filter((rung) => rung !== top).sort((a, b) => b - a);
  let room = Math.max(cap - kept.length, Math.ceil(cap / 3));
  lower.forEach((rung, k) => {
    const indices = byRung.get(rung)!;
    const share = Math.floor(room / (lower.length - k));
    const chosen = indices.length <= share ? indices : bestAndRecent(results, indices, share);
    kept.push(...chosen);
    room -= chosen.length;
  });
  return kept.sort((a, b) => a - b);
}

/** A cap leaves room for the top rung and a share for each lower one only from 3 results. */
export function assertModelCap(cap: number): void {
  if (!(Number.isInteger(cap) && cap >= 3)) throw new RangeError(`Hyperband's model cap must be a whole number ≥ 3, got ${cap}.`);
}

/** `count` of `indices` (in told order): the best ⌈count/2⌉ by value, then the most recent of the others. */
function bestAndRecent(results: readonly RungResult[], indices: readonly number[], count: number): number[] {
  const best = [...indices].sort((a, b) => results[a].value - results[b].value || b - a).slice(0, Math.ceil(count / 2));
  const chosen = new Set(best);
  for (let i = indices.length - 1; i >= 0 && chosen.size < count; i--) chosen.add(indices[i]);
  return [...chosen];
}
