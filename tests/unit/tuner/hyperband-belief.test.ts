import { describe, expect, it } from 'vitest';
import type { Params, SearchSpace } from '../../../src/lib/space';
import { BeliefService } from '../../../src/lib/tuner/belief-service';
import type { FidelityKernel } from '../../../src/lib/tuner/fidelity';
import { HyperbandStrategy, type HyperbandSuggestion } from '../../../src/lib/tuner/hyperband';
import { strategyBelief } from '../../../src/lib/tuner';
import type { Goal } from '../../../src/lib/tuner/types';

const space: SearchSpace = {
  x: { type: 'continuous', min: 0, max: 1 },
  z: { type: 'continuous', min: 0, max: 1 },
  epochs: { type: 'integer', min: 1, max: 27 },
};

/**
 * A loss whose optimum in x moves with the budget: 0.7 after 1 epoch, 0.2 after 27 (a setting
 * that only pays off in long runs); z does nothing.
 */
function loss(p: Params): number {
  const s = Math.log(p.epochs as number) / Math.log(27);
  const optimum = 0.7 - 0.5 * s;
  return 2 * ((p.x as number) - optimum) ** 2 + 0.3 * (1 - s);
}

/** One trial at a time, each told before the next ask; `watch` runs after every result, as the page's questions do. */
function runJob(hb: HyperbandStrategy, runs: number, value: (p: Params) => number, watch: () => void = () => {}): HyperbandSuggestion[] {
  const asked: HyperbandSuggestion[] = [];
  for (let i = 0; i < runs; i++) {
    const [trial] = hb.ask(1);
    asked.push(trial);
    hb.tell(trial.id, { value: value(trial.params) });
    watch();
  }
  return asked;
}

const argmin = (points: { value: unknown; mean: number }[]) => points.reduce((a, b) => (b.mean < a.mean ? b : a)).value as number;
const argmax = (points: { value: unknown; mean: number }[]) => points.reduce((a, b) => (b.mean > a.mean ? b : a)).value as number;

describe("Hyperband's belief at the full budget", () => {
  it('puts the slice\'s minimum near the full-budget optimum, not the 1-epoch one, whatever rung `at` names', () => {
    const hb = new HyperbandStrategy({ space, goal: 'minimize', seed: 3 });
    expect(hb.fullBudgetBelief()).toBeNull();
    const asked = runJob(hb, 70, loss);
    expect(asked.some((t) => t.epochs === 27)).toBe(true);
    const belief = hb.fullBudgetBelief()!;
    // `at` from a 1-epoch trial: the budget is still held at 27.
    const slice = belief.slice('x', { x: 0.5, z: 0.5, epochs: 1 }, 41);
    expect(slice).toHaveLength(41);
    expect(Math.abs(argmin(slice) - 0.2)).toBeLessThan(0.1);
    expect(belief.slice('x', { x: 0.5, z: 0.5, epochs: 27 }, 41)).toEqual(slice);
    // Along the budget, the configuration `at` names: x = 0.2 is poor after 1 epoch (0.8) and best after 27 (0).
    const budget = belief.slice('epochs', { x: 0.2, z: 0.5, epochs: 27 });
    expect(budget.map((p) => p.value)).toEqual(Array.from({ length: 27 }, (_, i) => i + 1));
    expect(budget[0].mean - budget[26].mean).toBeGreaterThan(0.4);
    for (const p of slice) expect(p.lower).toBeLessThanOrEqual(p.upper);
  });

  it('orients a maximized metric back: the slice peaks at the full-budget optimum', () => {
    const hb = new HyperbandStrategy({ space, goal: 'maximize', seed: 5 });
    runJob(hb, 70, (p) => 1 - loss(p));
    const slice = hb.fullBudgetBelief()!.slice('x', { x: 0.5, z: 0.5, epochs: 9 }, 41);
    expect(Math.abs(argmax(slice) - 0.2)).toBeLessThan(0.1);
    for (const p of slice) expect(p.lower).toBeLessThanOrEqual(p.mean);
    // Values in the metric's units: near 1 − 0 at the optimum, not negated.
    expect(Math.max(...slice.map((p) => p.mean))).toBeGreaterThan(0.8);
  });

  it("ranks the configuration's hyperparameters by the joint GP's lengthscales, the budget not among them", () => {
    const hb = new HyperbandStrategy({ space, goal: 'minimize', seed: 3 });
    runJob(hb, 70, loss);
    const importance = hb.fullBudgetBelief()!.ranked()!;
    expect(importance.method).toBe('lengthscales');
    expect(importance.fullBudget).toBe(27);
    expect(importance.parameters.map((p) => p.name)).toEqual(['x', 'z']);
    const [x, z] = importance.parameters.map((p) => p.importance);
    expect(x + z).toBeCloseTo(1, 12);
    expect(x).toBeGreaterThan(z);
  });

  it.each<[FidelityKernel, 'lengthscales' | 'variance']>([
    ['curve', 'lengthscales'],
    ['sum', 'variance'],
  ])('with the %s kernel ranks by %s at the full budget', (kernel, method) => {
    const hb = new HyperbandStrategy({ space, goal: 'minimize', seed: 3, fidelityKernel: kernel });
    runJob(hb, 45, loss);
    const belief = hb.fullBudgetBelief()!;
    const importance = belief.ranked()!;
    expect(importance.method).toBe(method);
    expect(importance.fullBudget).toBe(27);
    expect(importance.parameters.map((p) => p.name)).toEqual(['x', 'z']);
    expect(importance.parameters[0].importance).toBeGreaterThan(importance.parameters[1].importance);
    expect(Math.abs(argmin(belief.slice('x', { x: 0.5, z: 0.5, epochs: 27 }, 41)) - 0.2)).toBeLessThan(0.15);
  });

  it('says nothing under the sum kernel before 2 full-budget results', () => {
    const hb = new HyperbandStrategy({ space, goal: 'minimize', seed: 3, fidelityKernel: 'sum' });
    for (const x of [0.1, 0.5, 0.9]) hb.observe({ x, z: 0.5, epochs: 1 }, loss({ x, z: 0.5, epochs: 1 }));
    hb.observe({ x: 0.2, z: 0.5, epochs: 27 }, 0.01);
    const belief = hb.fullBudgetBelief()!;
    expect(belief.ranked()).toBeNull();
    hb.observe({ x: 0.6, z: 0.5, epochs: 27 }, 0.3);
    expect(hb.fullBudgetBelief()!.ranked()?.method).toBe('variance');
  });

  it.each<Goal>(['minimize', 'maximize'])('asking for slices, importance and the recommendation changes no suggestion (%s)', (goal) => {
    const value = (p: Params) => (goal === 'minimize' ? loss(p) : 1 - loss(p));
    const alone = runJob(new HyperbandStrategy({ space, goal, seed: 9 }), 40, value);
    const watched = new HyperbandStrategy({ space, goal, seed: 9 });
    let shown = 0;
    const asked = runJob(watched, 40, value, () => {
      const belief = watched.fullBudgetBelief();
      if (!belief) return;
      belief.slice('x', { x: 0.5, z: 0.5, epochs: 3 }, 20);
      belief.slice('epochs', { x: 0.5, z: 0.5, epochs: 3 });
      belief.ranked();
      watched.recommend();
      shown++;
    });
    expect(asked).toEqual(alone);
    expect(shown).toBeGreaterThan(30);
  });

  it('serves the page through the belief service: slices at the full budget and the ranking without epochs', async () => {
    const hb = new HyperbandStrategy({ space, goal: 'minimize', seed: 3 });
    const tasks: (() => void)[] = [];
    const beliefs = new BeliefService({ space, goal: 'minimize', seed: 3, strategy: 'hyperband', source: strategyBelief(hb), defer: (t) => void tasks.push(t) });
    const drain = async () => {
      while (tasks.length > 0) {
        tasks.shift()!();
        await Promise.resolve();
      }
    };
    for (let i = 0; i < 70; i++) {
      const trials = hb.ask(1);
      beliefs.noteAsked(trials);
      for (const t of trials) {
        hb.tell(t.id, { value: loss(t.params) });
        beliefs.told(t.id, { value: loss(t.params) });
      }
    }
    await drain();
    // Every result was told before the queued fit ran: one fit for all of them.
    expect(beliefs.fits).toBe(1);
    const importance = beliefs.importance()!;
    expect(importance).toMatchObject({ method: 'lengthscales', fullBudget: 27 });
    // The joint GP's ranking rests on every rung's results it was fitted to.
    expect(importance.results).toBe(70);
    expect(importance.parameters.map((p) => p.name)).toEqual(['x', 'z']);
    const slice = beliefs.slice('x', { x: 0.5, z: 0.5, epochs: 1 }, 41);
    await drain();
    expect(Math.abs(argmin((await slice)!) - 0.2)).toBeLessThan(0.1);
    await expect(beliefs.slice('w', { x: 0.5, z: 0.5, epochs: 1 })).rejects.toThrow(/not a parameter/);
  });
});
