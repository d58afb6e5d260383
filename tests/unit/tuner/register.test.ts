import { describe, expect, it } from 'vitest';
import { paramsKey, type Params, type SearchSpace } from '../../../src/lib/space';
import { createStrategy, STRATEGIES, type Strategy } from '../../../src/lib/tuner';

/** Six points in all, so a test can see every suggestion a strategy has left. */
const discrete: SearchSpace = {
  depth: { type: 'integer', min: 1, max: 3 },
  opt: { type: 'categorical', values: ['sgd', 'adam'] },
};
const mixed: SearchSpace = {
  lr: { type: 'continuous', min: 1e-4, max: 1, scale: 'log' },
  depth: { type: 'integer', min: 1, max: 6 },
  opt: { type: 'categorical', values: ['sgd', 'adam'] },
};
const loss = (p: Params) => (Math.log10(p.lr as number) + 2) ** 2 + (p.opt === 'adam' ? 0 : 0.3) + 0.1 * (p.depth as number);

describe('Strategy.register, for every strategy', () => {
  // Hyperband's points carry their budget in epochs, which these spaces lack: hyperband.test.ts checks its register.
  for (const name of STRATEGIES.filter((s) => s !== 'hyperband')) {
    describe(name, () => {
      it('takes the point as pending: asks made meanwhile never propose it, and its result comes through tell', () => {
        const strategy = createStrategy(name, { space: discrete, goal: 'minimize', seed: 4 });
        const rerun = { depth: 2, opt: 'adam' };
        const id = strategy.register(rerun);
        const rest = strategy.ask(10);
        expect(rest).toHaveLength(5);
        expect(rest.map((t) => paramsKey(discrete, t.params))).not.toContain(paramsKey(discrete, rerun));
        expect(rest.map((t) => t.id)).not.toContain(id);
        strategy.tell(id, { value: 0.5 });
        expect(() => strategy.tell(id, { value: 0.5 })).toThrow(/Unknown trial/);
      });

      it('takes a point already asked and told, as a re-run does, and drops it on a failed outcome', () => {
        const strategy = createStrategy(name, { space: mixed, goal: 'minimize', seed: 4 });
        const [first] = strategy.ask(1);
        strategy.tell(first.id, { value: loss(first.params) });
        const id = strategy.register(first.params);
        expect(id).not.toBe(first.id);
        strategy.tell(id, { failed: true });
        expect(() => strategy.tell(id, { failed: true })).toThrow(/Unknown trial/);
      });

      it('refuses points outside the space with the point check', () => {
        const strategy = createStrategy(name, { space: mixed, goal: 'minimize', seed: 4 });
        expect(() => strategy.register({ lr: 5, depth: 2, opt: 'adam' })).toThrow('"lr" = 5 is out of range [0.0001, 1].');
        expect(() => strategy.register({ lr: 0.1, depth: 2 })).toThrow('Missing parameter "opt".');
        // A refused point takes no id: the next one is the first.
        expect(strategy.ask(1)[0].id).toBe('t1');
      });

      it('keeps suggestions reproducible: the same seed and calls, registers included, give the same suggestions', () => {
        const replay = () => {
          const strategy = createStrategy(name, { space: mixed, goal: 'minimize', seed: 9 });
          const all = [];
          for (let round = 0; round < 4; round++) {
            const batch = strategy.ask(2);
            all.push(...batch);
            const rerun = strategy.register(batch[0].params);
            for (const t of batch) strategy.tell(t.id, { value: loss(t.params) });
            strategy.tell(rerun, { value: loss(batch[0].params) + 0.01 });
          }
          return all;
        };
        expect(replay()).toEqual(replay());
      });
    });
  }
});

describe('grid: a registered grid point', () => {
  it('is skipped when its turn comes', () => {
    const order = createStrategy('grid', { space: discrete, goal: 'minimize', seed: 7 }).ask(6).map((t) => t.params);
    const grid = createStrategy('grid', { space: discrete, goal: 'minimize', seed: 7 });
    grid.register(order[3]);
    expect(grid.ask(6).map((t) => t.params)).toEqual([...order.slice(0, 3), ...order.slice(4)]);
  });
});

describe('bayesian: a registered point', () => {
  const space: SearchSpace = { x: { type: 'continuous', min: 0, max: 10 } };
  /** Five results that put the model's favourite near x = 7. */
  function fitted(seed: number): Strategy {
    const strategy = createStrategy('bayesian', { space, goal: 'minimize', seed });
    for (const x of [0, 2.5, 5, 7.5, 10]) strategy.observe({ x }, (x - 7.2) ** 2);
    return strategy;
  }

  it('is believed like a pending suggestion: the next ask moves off it as the second of a batch would', () => {
    for (const seed of [1, 2, 3]) {
      const [favourite] = fitted(seed).ask(1);
      const [, secondOfBatch] = fitted(seed).ask(2);
      const strategy = fitted(seed);
      strategy.register(favourite.params);
      const [next] = strategy.ask(1);
      expect(Math.abs((next.params.x as number) - (favourite.params.x as number))).toBeGreaterThan(0.1);
      expect(next.params.x as number).toBeCloseTo(secondOfBatch.params.x as number, 2);
    }
  });

  it('gives the model its value through tell, as an observation of that point would', () => {
    const told = fitted(5);
    const observed = fitted(5);
    const point = { x: 1.3 };
    told.tell(told.register(point), { value: -4 });
    observed.observe(point, -4);
    const asks = (s: Strategy) => [1, 2, 3].map(() => s.ask(1)[0].params);
    const fromTold = asks(told);
    expect(fromTold).toEqual(asks(observed));
    // The surprising value moved the search to the re-run's neighbourhood.
    expect(Math.abs((fromTold[0].x as number) - 1.3)).toBeLessThan(1);
  });

  it('that fails is dropped, not believed poor as a failed suggestion is', () => {
    const dropped = fitted(6);
    dropped.tell(dropped.register({ x: 7 }), { failed: true });
    const untouched = fitted(6);
    // Believed at the worst value, x = 7 (next to the favourite, about 6.94) would move the search.
    const next = (s: Strategy) => s.ask(2).map((t) => t.params);
    expect(next(dropped)).toEqual(next(untouched));
  });
});
