import { describe, expect, it } from 'vitest';
import type { Params, SearchSpace } from '../../../src/lib/space';
import { createStrategy } from '../../../src/lib/tuner';
import { HyperbandStrategy, type HyperbandSuggestion } from '../../../src/lib/tuner/hyperband';
import { createRng } from '../../../src/lib/rng';
import { BracketCycle, bracketShares, epochRange, rungBudgets } from '../../../src/lib/tuner/rungs';

const space: SearchSpace = {
  x: { type: 'continuous', min: 0, max: 1 },
  epochs: { type: 'integer', min: 1, max: 27 },
};
/** A learning curve: the final value (x − 0.2)², approached as 1/epochs. */
const loss = (p: Params) => ((p.x as number) - 0.2) ** 2 + 0.5 / (p.epochs as number);

/**
 * A fake executor with `workers` in parallel: a run of e epochs takes e time units; whenever
 * one finishes (earliest first) its result is told and the freed worker asks for one more.
 */
function runJob(strategy: HyperbandStrategy, workers: number, runs: number, value = loss) {
  /** Each run asked, with what was running and what had been told when it was asked. */
  const log: { trial: HyperbandSuggestion; pendingAtAsk: HyperbandSuggestion[]; toldBefore: { trial: HyperbandSuggestion; value: number }[] }[] = [];
  const told: { trial: HyperbandSuggestion; value: number }[] = [];
  const running: { trial: HyperbandSuggestion; end: number }[] = [];
  let now = 0;
  const start = (count: number) => {
    for (const trial of strategy.ask(count)) {
      log.push({ trial, pendingAtAsk: running.map((r) => r.trial), toldBefore: [...told] });
      running.push({ trial, end: now + trial.epochs });
    }
  };
  start(workers);
  while (running.length > 0) {
    running.sort((a, b) => a.end - b.end || a.trial.id.localeCompare(b.trial.id));
    const done = running.shift()!;
    now = done.end;
    const v = value(done.trial.params);
    strategy.tell(done.trial.id, { value: v });
    told.push({ trial: done.trial, value: v });
    if (log.length < runs) start(1);
  }
  return log;
}

describe('Hyperband rungs', () => {
  it('divides the maximum by η down to the minimum, in whole epochs', () => {
    expect(rungBudgets(1, 27)).toEqual([1, 3, 9, 27]);
    expect(rungBudgets(1, 26)).toEqual([3, 9, 26]);
    expect(rungBudgets(2, 30)).toEqual([3, 10, 30]);
    expect(rungBudgets(1, 10)).toEqual([1, 3, 10]);
    expect(rungBudgets(1, 16, 2)).toEqual([1, 2, 4, 8, 16]);
    expect(rungBudgets(1, 2)).toEqual([2]);
    expect(() => rungBudgets(1, 9, 1)).toThrow(/η must be at least 2/);
  });

  it('takes the budget range from the space, or from the options, and says what is missing', () => {
    expect(epochRange(space, {})).toEqual({ min: 1, max: 27 });
    expect(epochRange({ x: space.x }, { minEpochs: 2, maxEpochs: 18 })).toEqual({ min: 2, max: 18 });
    expect(() => epochRange({ x: space.x }, {})).toThrow(/search "epochs" as an integer range/);
    expect(() => epochRange({ epochs: { type: 'categorical', values: [1, 3] } }, {})).toThrow(/numeric range/);
    expect(() => epochRange({ x: space.x }, { minEpochs: 5, maxEpochs: 5 })).toThrow(/1 ≤ minimum < maximum/);
    expect(() => createStrategy('hyperband', { space: { epochs: space.epochs }, goal: 'minimize', seed: 1 })).toThrow(/besides "epochs"/);
  });

  it('shares new configurations among brackets as Hyperband does, interleaved', () => {
    expect(bracketShares(4)).toEqual([27, 12, 6, 4]);
    expect(bracketShares(1)).toEqual([1]);
    const cycle = new BracketCycle(bracketShares(4));
    const order = Array.from({ length: 49 }, () => cycle.next());
    expect([0, 1, 2, 3].map((s) => order.filter((b) => b === s).length)).toEqual([27, 12, 6, 4]);
    // Every bracket appears within the first 12 configurations, not after 27 of the first.
    expect(new Set(order.slice(0, 12))).toEqual(new Set([0, 1, 2, 3]));
  });
});

describe('the hyperband strategy', () => {
  it('asks with the rung budget in the params, starting each configuration at its bracket\'s first rung', () => {
    const hb = new HyperbandStrategy({ space, goal: 'minimize', seed: 3 });
    expect(hb.budgets).toEqual([1, 3, 9, 27]);
    const trials = hb.ask(12);
    for (const t of trials) {
      expect(Object.keys(t.params)).toEqual(['x', 'epochs']);
      expect(t.params.epochs).toBe(t.epochs);
      expect(t.epochs).toBe(hb.budgets[t.rung]);
    }
    expect(new Set(trials.map((t) => t.config)).size).toBe(12);
    expect(new Set(trials.map((t) => t.rung))).toEqual(new Set([0, 1, 2, 3]));
  });

  it('promotes the best of a rung (ASHA) without waiting for the rung to fill', () => {
    const hb = new HyperbandStrategy({ space, goal: 'minimize', seed: 1, minEpochs: 1, maxEpochs: 9 });
    // Bracket 0 only on the first asks: 1, 3, 9 epochs give shares [9, 5, 3]; take the first few of bracket 0.
    const first = hb.ask(20).filter((t) => t.rung === 0).slice(0, 3);
    expect(first).toHaveLength(3);
    const values = [0.5, 0.1, 0.9];
    first.forEach((t, i) => hb.tell(t.id, { value: values[i] }));
    // Three results at rung 0: the best one (⌊3/3⌋ = 1) goes to rung 1 at once, while others still run.
    const [promoted] = hb.ask(1);
    expect(promoted.rung).toBe(1);
    expect(promoted.epochs).toBe(3);
    expect(promoted.config).toBe(first[1].config);
    expect(promoted.params.x).toBe(first[1].params.x);
    // Nothing else is promotable: the next ask starts a new configuration.
    const [next] = hb.ask(1);
    expect(next.config).not.toBe(first[1].config);
    expect(next.rung).toBe(hb.budgets.indexOf(next.epochs));
  });

  it('maximizes too: the highest value is promoted', () => {
    const hb = new HyperbandStrategy({ space, goal: 'maximize', seed: 1, minEpochs: 1, maxEpochs: 9 });
    const first = hb.ask(20).filter((t) => t.rung === 0).slice(0, 3);
    [0.5, 0.1, 0.9].forEach((v, i) => hb.tell(first[i].id, { value: v }));
    expect(hb.ask(1)[0].config).toBe(first[2].config);
  });

  it('under a fake executor, promotes only from the top third of a rung as it stood, while that rung still runs', () => {
    // Promotion alone: without the full-budget runs of `exploitAtFullBudget`, which take the workers once the search has converged.
    const hb = new HyperbandStrategy({ space, goal: 'minimize', seed: 5, exploitAtFullBudget: false });
    const log = runJob(hb, 4, 120);
    const firstRung = new Map<number, number>();
    for (const { trial } of log) if (!firstRung.has(trial.config)) firstRung.set(trial.config, trial.rung);
    let promotions = 0;
    let whileRunning = 0;
    for (const { trial, pendingAtAsk, toldBefore } of log) {
      const bracket = firstRung.get(trial.config)!;
      if (trial.rung === bracket) continue;
      promotions++;
      // The rung below, in this bracket, as it stood at the ask: this configuration was in its top ⌊n/3⌋.
      const below = toldBefore.filter((t) => t.trial.rung === trial.rung - 1 && firstRung.get(t.trial.config) === bracket).sort((a, b) => a.value - b.value);
      const top = below.slice(0, Math.floor(below.length / 3)).map((t) => t.trial.config);
      expect(top).toContain(trial.config);
      // Its run one rung below is done, and it climbs one rung at a time.
      expect(below.map((t) => t.trial.config)).toContain(trial.config);
      if (pendingAtAsk.some((p) => p.rung === trial.rung - 1 && firstRung.get(p.config) === bracket)) whileRunning++;
    }
    expect(promotions).toBeGreaterThan(10);
    // Asynchronous: promotions did not wait for the rung below to finish.
    expect(whileRunning).toBeGreaterThan(0);
    // Epochs: every run counted once, promotions train from scratch.
    expect(hb.epochsAsked).toBe(log.reduce((s, l) => s + l.trial.epochs, 0));
  });

  it.each(['feature', 'curve', 'sum'] as const)('samples new configurations from the GP (kernel %s) once a budget has enough results (BOHB), near the optimum', (fidelityKernel) => {
    const hb = new HyperbandStrategy({ space, goal: 'minimize', seed: 2, fidelityKernel });
    const log = runJob(hb, 2, 60);
    const distance = (entries: typeof log) => {
      const firsts = entries.filter((l) => l.trial.rung === hb.budgets.indexOf(l.trial.epochs) && l === log.find((m) => m.trial.config === l.trial.config));
      return firsts.reduce((s, l) => s + Math.abs((l.trial.params.x as number) - 0.2), 0) / firsts.length;
    };
    // Random draws on [0, 1] lie 0.34 from 0.2 on average; the first configurations are random, the later ones the GP's.
    expect(distance(log.slice(0, 8))).toBeGreaterThan(0.15);
    expect(distance(log.slice(30))).toBeLessThan(0.1);
  });

  it('finds the full-budget optimum with the learning-curve kernel where short runs favour another one', () => {
    // The gap grows with x, so after 1 or 3 epochs the best x is below 0.2; at 27 it is 0.2.
    const skewed = (p: Params) => ((p.x as number) - 0.2) ** 2 + (0.05 + 0.3 * (p.x as number)) * (Math.sqrt(27 / (p.epochs as number)) - 1);
    const hb = new HyperbandStrategy({ space, goal: 'minimize', seed: 3, fidelityKernel: 'curve' });
    const log = runJob(hb, 2, 60, skewed);
    const full = log.filter((l) => l.trial.epochs === 27).slice(-5);
    for (const l of full) expect(Math.abs((l.trial.params.x as number) - 0.2)).toBeLessThan(0.05);
    expect(() => new HyperbandStrategy({ space, goal: 'minimize', seed: 3, fidelityKernel: 'spline' as 'curve' })).toThrow(/kernel is one of feature, curve, sum, got "spline"/);
  });

  it('recommends a full-budget configuration by the GP, or the best at the highest rung reached', () => {
    const hb = new HyperbandStrategy({ space, goal: 'minimize', seed: 4 });
    expect(hb.recommend()).toBeNull();
    const [t] = hb.ask(1);
    hb.tell(t.id, { value: loss(t.params) });
    expect(hb.recommend()).toMatchObject({ params: t.params, basis: 'observed' });
    runJob(hb, 3, 80);
    const r = hb.recommend()!;
    expect(r.params.epochs).toBe(27);
    expect(r.basis).toBe('model');
    expect(Math.abs((r.params.x as number) - 0.2)).toBeLessThan(0.1);
  });

  it('under noise recommends by the model of every rung, not by a lucky full-budget draw', () => {
    const hb = new HyperbandStrategy({ space, goal: 'minimize', seed: 4 });
    const rng = createRng(9);
    // Short runs all over the space, each with noise σ 0.05: together they show the minimum at 0.2.
    for (let i = 0; i < 30; i++) {
      const x = (i + 0.5) / 30;
      for (const epochs of [1, 3, 9]) hb.observe({ x, epochs }, loss({ x, epochs }) + 0.05 * rng.normal());
    }
    // Two full runs: the truly best configuration drew high, a poor one drew low.
    hb.observe({ x: 0.2, epochs: 27 }, loss({ x: 0.2, epochs: 27 }) + 0.06);
    hb.observe({ x: 0.6, epochs: 27 }, loss({ x: 0.6, epochs: 27 }) - 0.12);
    const r = hb.recommend()!;
    expect(r.params).toEqual({ x: 0.2, epochs: 27 });
    expect(r.basis).toBe('model');
    // Stated in the objective's units: the model's mean there is below what was observed.
    expect(r.mean!).toBeLessThan(r.observed);
  });

  it('checks registered and observed points, and learns from them at their budget', () => {
    const hb = new HyperbandStrategy({ space, goal: 'minimize', seed: 4 });
    expect(() => hb.register({ x: 0.5, epochs: 2.5 })).toThrow(/"epochs" as a whole number from 1 to 27/);
    expect(() => hb.observe({ x: 2, epochs: 3 }, 1)).toThrow(/x/);
    const id = hb.register({ x: 0.3, epochs: 27 });
    hb.tell(id, { value: 0.05 });
    hb.observe({ x: 0.6, epochs: 27 }, 0.2);
    expect(hb.recommend()).toMatchObject({ params: { x: 0.3, epochs: 27 } });
    // A failed re-run only drops it; an unknown id throws.
    hb.tell(hb.register({ x: 0.3, epochs: 27 }), { failed: true });
    expect(() => hb.tell('t99', { value: 1 })).toThrow(/Unknown trial id/);
  });

  it('runs a proposal close to the incumbent straight at the full budget once 3 configurations have finished it', () => {
    const on = runJob(new HyperbandStrategy({ space, goal: 'minimize', seed: 6 }), 2, 90);
    const off = runJob(new HyperbandStrategy({ space, goal: 'minimize', seed: 6, exploitAtFullBudget: false }), 2, 90);
    const top = 3;
    const fullStarts = (log: typeof on) => log.filter((l) => l.trial.rung === top && !log.some((m) => m.trial.config === l.trial.config && m.trial.rung < top));
    // Until 3 full-budget results are in, the two jobs are the same run for run.
    const firstDifferent = on.findIndex((l, i) => JSON.stringify(l.trial) !== JSON.stringify(off[i]?.trial));
    expect(firstDifferent).toBeGreaterThan(0);
    expect(on[firstDifferent].toldBefore.filter((t) => t.trial.rung === top).length).toBeGreaterThanOrEqual(3);
    // Without it, the full-budget bracket gets its Hyperband share (4 of 49 new configurations) and
    // its configurations spread over the space; with it, more start there, near the optimum at 0.2.
    const extra = fullStarts(on).filter((l) => l.toldBefore.filter((t) => t.trial.rung === top).length >= 3);
    expect(fullStarts(on).length).toBeGreaterThan(fullStarts(off).length + 3);
    const meanDistance = extra.reduce((s, l) => s + Math.abs((l.trial.params.x as number) - 0.2), 0) / extra.length;
    expect(meanDistance).toBeLessThan(0.05);
  });

  it('replays the same trials for the same seed, whether or not its recommendation is asked for meanwhile', () => {
    const a = runJob(new HyperbandStrategy({ space, goal: 'minimize', seed: 9 }), 3, 40).map((l) => l.trial);
    const b = runJob(new HyperbandStrategy({ space, goal: 'minimize', seed: 9 }), 3, 40).map((l) => l.trial);
    expect(b).toEqual(a);
    // The page asks after every result; the recommendation fits its own model.
    const watched = new HyperbandStrategy({ space, goal: 'minimize', seed: 9 });
    const recommendations: unknown[] = [];
    const c = runJob(watched, 3, 40, (p) => {
      recommendations.push(watched.recommend());
      return loss(p);
    }).map((l) => l.trial);
    expect(c).toEqual(a);
    expect(recommendations.filter((r) => (r as { basis?: string } | null)?.basis === 'model').length).toBeGreaterThan(0);
  });
});
