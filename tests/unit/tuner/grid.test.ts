import { describe, expect, it } from 'vitest';
import { paramsKey, type SearchSpace } from '../../../src/lib/space';
import { createStrategy, DEFAULT_GRID_POINTS } from '../../../src/lib/tuner';

const space: SearchSpace = {
  lr: { type: 'continuous', min: 1e-4, max: 1e-1, scale: 'log' },
  depth: { type: 'integer', min: 2, max: 4 },
  opt: { type: 'categorical', values: ['sgd', 'adam'] },
};

describe('grid strategy', () => {
  it('visits the full grid once, then returns []', () => {
    const grid = createStrategy('grid', { space, goal: 'minimize', seed: 3 });
    const all = grid.ask(1000);
    expect(all).toHaveLength(DEFAULT_GRID_POINTS * 3 * 2);
    expect(new Set(all.map((t) => paramsKey(space, t.params))).size).toBe(all.length);
    const lrs = [...new Set(all.map((t) => t.params.lr as number))].sort((a, b) => a - b);
    expect(lrs[0]).toBe(1e-4);
    expect(lrs[lrs.length - 1]).toBe(1e-1);
    expect(lrs[2]).toBeCloseTo(Math.sqrt(1e-4 * 1e-1), 12);
    expect(grid.ask(1)).toEqual([]);
    for (const t of all) grid.tell(t.id, { value: 1 });
    expect(() => grid.tell('t1', { value: 1 })).toThrow(/Unknown trial/);
  });

  it('takes the number of continuous points as an option and skips warm-started points', () => {
    const grid = createStrategy('grid', { space, goal: 'minimize', seed: 3, gridPoints: 2 });
    grid.observe({ lr: 1e-4, depth: 2, opt: 'sgd' }, 0.5);
    const trials = grid.ask(100);
    expect(trials).toHaveLength(2 * 3 * 2 - 1);
    expect(trials.some((t) => t.params.lr === 1e-4 && t.params.depth === 2 && t.params.opt === 'sgd')).toBe(false);
  });

  it('orders the grid by seed, reproducibly', () => {
    const a = createStrategy('grid', { space, goal: 'minimize', seed: 1 }).ask(30);
    const b = createStrategy('grid', { space, goal: 'minimize', seed: 1 }).ask(30);
    const c = createStrategy('grid', { space, goal: 'minimize', seed: 2 }).ask(30);
    expect(b).toEqual(a);
    expect(c.map((t) => t.params)).not.toEqual(a.map((t) => t.params));
  });
});

describe('huge discrete ranges', () => {
  it('neither strategy materializes a billion-value integer axis', () => {
    const space: SearchSpace = { n: { type: 'integer', min: 0, max: 1_000_000_000 }, c: { type: 'categorical', values: ['a', 'b'] } };
    const grid = createStrategy('grid', { space, goal: 'minimize', seed: 1 }).ask(3);
    expect(grid).toHaveLength(3);
    const bayes = createStrategy('bayesian', { space, goal: 'minimize', seed: 1 });
    const trials = bayes.ask(8);
    for (const t of trials) bayes.tell(t.id, { value: (t.params.n as number) / 1e9 });
    expect(bayes.ask(1)).toHaveLength(1);
  });
});
