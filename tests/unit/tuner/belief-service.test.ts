import { describe, expect, it } from 'vitest';
import type { Params, SearchSpace } from '../../../src/lib/space';
import { createStrategy, type StrategyName } from '../../../src/lib/tuner';
import { BeliefService } from '../../../src/lib/tuner/belief-service';

const space: SearchSpace = {
  lr: { type: 'continuous', min: 1e-4, max: 1, scale: 'log' },
  depth: { type: 'integer', min: 1, max: 6 },
  opt: { type: 'categorical', values: ['sgd', 'adam'] },
};
const loss = (p: Params) => (Math.log10(p.lr as number) + 2) ** 2 + (p.opt === 'adam' ? 0 : 0.3) + 0.1 * (p.depth as number);

/** A hand-run event loop: the service's deferred tasks and simulated messages, in arrival order. */
class Loop {
  private readonly tasks: (() => void)[] = [];
  readonly defer = (task: () => void) => void this.tasks.push(task);
  /** A message arriving from the page (an ask): it runs when its turn in the loop comes. */
  post(task: () => void): void {
    this.tasks.push(task);
  }
  get waiting(): number {
    return this.tasks.length;
  }
  /** Runs every task, each followed by the microtasks it queued, as an event loop does. */
  async run(): Promise<void> {
    while (this.tasks.length > 0) {
      this.tasks.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

/** A strategy and the service beside it, as the tuner worker wires them. */
function tuner(strategyName: StrategyName = 'bayesian', loop = new Loop()) {
  const strategy = createStrategy(strategyName, { space, goal: 'minimize', seed: 4 });
  const beliefs = new BeliefService({ space, goal: 'minimize', seed: 4, strategy: strategyName, defer: loop.defer });
  const complete = (count: number, outcome: (p: Params) => { value: number } | { failed: true } = (p) => ({ value: loss(p) })) => {
    const trials = strategy.ask(count);
    beliefs.noteAsked(trials);
    for (const t of trials) {
      const told = outcome(t.params);
      strategy.tell(t.id, told);
      beliefs.told(t.id, told);
    }
    return trials;
  };
  return { strategy, beliefs, loop, complete };
}

const at: Params = { lr: 0.01, depth: 3, opt: 'adam' };

describe('the belief service', () => {
  it('fits once 2 trials have completed, during the initial design, and not on failed trials', async () => {
    const { beliefs, loop, complete } = tuner();
    complete(1);
    complete(2, () => ({ failed: true }));
    complete(1, () => ({ value: Infinity }));
    await loop.run();
    expect([beliefs.completed, beliefs.fits]).toEqual([1, 0]);
    expect(await resolved(beliefs.slice('lr', at), loop)).toBeNull();
    expect(beliefs.importance()).toBeNull();
    // The second completed trial: still inside the strategy's initial design of 5.
    complete(1);
    await loop.run();
    expect([beliefs.completed, beliefs.fits]).toEqual([2, 1]);
    expect(await resolved(beliefs.slice('lr', at, 10), loop)).toHaveLength(10);
    const importance = beliefs.importance()!;
    expect(importance.method).toBe('lengthscales');
    expect(importance.parameters.map((p) => p.name)).toEqual(['lr', 'depth', 'opt']);
    // It says what it rests on: the 2 completed results the GP was fitted to, not the failed ones.
    expect(importance.results).toBe(2);
  });

  it('counts warm-start observations and fits once for all that arrived before the fit ran', async () => {
    const { strategy, beliefs, loop } = tuner();
    for (const lr of [0.001, 0.01, 0.1]) {
      const params = { ...at, lr };
      strategy.observe(params, loss(params));
      beliefs.observed(params, loss(params));
    }
    await loop.run();
    expect([beliefs.completed, beliefs.fits]).toEqual([3, 1]);
  });

  it('recommends from the last display fit under bayesian, the best observed otherwise, and never refits for it', async () => {
    const { strategy, beliefs, loop, complete } = tuner();
    expect(await resolved(beliefs.recommend(), loop)).toBeNull();
    complete(8);
    // Asked before the fit of the last result ran: it waits for that fit.
    const r = (await resolved(beliefs.recommend(), loop))!;
    const fits = beliefs.fits;
    expect(await resolved(beliefs.recommend(), loop)).toEqual(r);
    expect(beliefs.fits).toBe(fits);
    expect(r.basis).toBe('model');
    // The display fit models the data as the strategy does (its fits warm-start along another
    // path, so the optimum differs in the last digits): the same configuration and prediction.
    const own = strategy.recommend()!;
    expect([r.params, r.id, r.observed, r.runs]).toEqual([own.params, own.id, own.observed, own.runs]);
    expect(r.mean).toBeCloseTo(own.mean!, 5);
    expect(r.sd).toBeCloseTo(own.sd!, 5);
    for (const name of ['random', 'grid'] as const) {
      const other = tuner(name);
      const trials = other.complete(5);
      const best = trials.reduce((a, b) => (loss(b.params) < loss(a.params) ? b : a));
      expect(await resolved(other.beliefs.recommend(), other.loop)).toEqual({ params: best.params, id: best.id, observed: loss(best.params), runs: 1, mean: null, sd: null, basis: 'observed' });
    }
  });

  it('answers slices from the last fit and never refits for them', async () => {
    const { beliefs, loop, complete } = tuner();
    complete(6);
    await loop.run();
    const fits = beliefs.fits;
    const answers = await resolved(Promise.all([beliefs.slice('lr', at), beliefs.slice('depth', at), beliefs.slice('opt', at)]), loop);
    expect(answers.map((a) => a!.length)).toEqual([60, 6, 2]);
    expect(beliefs.fits).toBe(fits);
    // A slice asked for after a tell waits for the fit that tell queued, and sees it.
    complete(1);
    const after = beliefs.slice('lr', at);
    await loop.run();
    expect(beliefs.fits).toBe(fits + 1);
    expect(await after).not.toEqual(answers[0]);
  });

  it('serves an ask that arrives between two slices before the second slice', async () => {
    const { strategy, beliefs, loop, complete } = tuner();
    complete(6);
    await loop.run();
    const order: string[] = [];
    const first = beliefs.slice('lr', at).then(() => order.push('slice lr'));
    const second = beliefs.slice('depth', at).then(() => order.push('slice depth'));
    loop.post(() => {
      strategy.ask(1);
      order.push('ask');
    });
    await loop.run();
    await Promise.all([first, second]);
    expect(order).toEqual(['slice lr', 'ask', 'slice depth']);
  });

  it('by default runs its tasks in later macrotasks, never in the caller\'s turn', async () => {
    const beliefs = new BeliefService({ space, goal: 'minimize', seed: 4, strategy: 'bayesian' });
    for (const p of [0.001, 0.01, 0.1].map((lr) => ({ ...at, lr }))) beliefs.observed(p, loss(p));
    await microtasks();
    expect(beliefs.fits).toBe(0);
    await waitFor(() => beliefs.fits === 1);
    let answered = 0;
    const slices = [beliefs.slice('lr', at), beliefs.slice('depth', at)].map((slice) => slice.then(() => answered++));
    await microtasks();
    expect(answered).toBe(0);
    await Promise.all(slices);
    expect(answered).toBe(2);
  });

  it('coalesces a newer slice of the same parameter over a pending one: both get the newer answer', async () => {
    const { beliefs, loop, complete } = tuner();
    complete(6);
    await loop.run();
    const order: string[] = [];
    const older = beliefs.slice('lr', at, 20).then((a) => (order.push('lr'), a));
    const other = beliefs.slice('depth', at).then((a) => (order.push('depth'), a));
    const newer = beliefs.slice('lr', { ...at, opt: 'sgd' }, 20).then((a) => (order.push('lr'), a));
    // One deferred task per queued item: the coalesced pair is one slice.
    await loop.run();
    const [a, , b] = await Promise.all([older, other, newer]);
    expect(a).toBe(b);
    // The newer request moved behind the one made between them.
    expect(order).toEqual(['depth', 'lr', 'lr']);
    const forOlderAt = await resolved(beliefs.slice('lr', at, 20), loop);
    expect(forOlderAt).not.toEqual(b);
    expect(await resolved(beliefs.slice('lr', { ...at, opt: 'sgd' }, 20), loop)).toEqual(b);
  });

  it('rejects a bad request at once, without queueing it', async () => {
    const { beliefs, loop, complete } = tuner();
    complete(3);
    await loop.run();
    await expect(beliefs.slice('nope', at)).rejects.toThrow(/not a parameter/);
    await expect(beliefs.slice('lr', at, 0)).rejects.toThrow(/2 to 1000 points/);
    await expect(beliefs.slice('lr', { ...at, opt: 'rmsprop' })).rejects.toThrow(/must be one of/);
    expect(loop.waiting).toBe(0);
  });

  it('fits no GP for random and grid search, and gives the model-free importance', async () => {
    for (const name of ['random', 'grid'] as const) {
      const { beliefs, loop, complete } = tuner(name);
      complete(1);
      expect(beliefs.importance()).toBeNull();
      complete(7);
      await loop.run();
      expect(beliefs.fits).toBe(0);
      expect(await beliefs.slice('lr', at)).toBeNull();
      const importance = beliefs.importance()!;
      expect(importance.method).toBe('variance');
      expect(importance.parameters.map((p) => p.name)).toEqual(['lr', 'depth', 'opt']);
      expect(importance.results).toBe(8);
    }
  });

  it('once disposed, resolves pending slices to null and fits nothing more', async () => {
    const { beliefs, loop, complete } = tuner();
    complete(3);
    await loop.run();
    const pending = beliefs.slice('lr', at);
    complete(1);
    beliefs.dispose();
    expect(await pending).toBeNull();
    await loop.run();
    expect(beliefs.fits).toBe(1);
    expect(await beliefs.slice('lr', at)).toBeNull();
  });

  it('replays the same belief for the same seed and trials', async () => {
    const answer = async () => {
      const { beliefs, loop, complete } = tuner();
      complete(7);
      await loop.run();
      return resolved(beliefs.slice('lr', at), loop);
    };
    expect(await answer()).toEqual(await answer());
  });
});

/** Lets the loop run until `promise` settles. */
async function resolved<T>(promise: Promise<T>, loop: Loop): Promise<T> {
  await loop.run();
  return promise;
}

async function microtasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 1));
  expect(condition()).toBe(true);
}
