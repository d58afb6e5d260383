import * as Comlink from 'comlink';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Params, SearchSpace } from '../../../src/lib/space';
import { createStrategy, type Strategy, type Suggestion } from '../../../src/lib/tuner';
import type { TunerWorkerApi } from '../../../workers/tuner.worker';

const space: SearchSpace = {
  lr: { type: 'continuous', min: 1e-4, max: 1, scale: 'log' },
  depth: { type: 'integer', min: 1, max: 6 },
  opt: { type: 'categorical', values: ['sgd', 'adam'] },
};
const loss = (p: Params) => (Math.log10(p.lr as number) + 2) ** 2 + (p.opt === 'adam' ? 0 : 0.3) + 0.1 * (p.depth as number);

/**
 * The worker script itself, loaded in Node with a MessagePort as its global scope: the page's calls
 * arrive as real Comlink messages, and its timers are real.
 */
describe('the tuner worker', () => {
  const channel = new MessageChannel();
  let tuner: Comlink.Remote<TunerWorkerApi>;

  /** One ask and tell through the worker and on the strategy alone, in step: the two suggestions must be the same. */
  async function askInStep(alone: Strategy, objective: (p: Params) => number): Promise<Suggestion> {
    const [viaWorker] = await tuner.ask(1);
    const [direct] = alone.ask(1);
    expect(viaWorker).toEqual(direct);
    alone.tell(direct.id, { value: objective(direct.params) });
    await tuner.tell(viaWorker.id, { value: objective(viaWorker.params) });
    return viaWorker;
  }

  beforeAll(async () => {
    // A worker's global scope is its message port: Comlink listens on globalThis, and the
    // lifecycle messages go through `self`.
    const port = channel.port2;
    vi.stubGlobal('self', port);
    vi.stubGlobal('addEventListener', port.addEventListener.bind(port));
    vi.stubGlobal('removeEventListener', port.removeEventListener.bind(port));
    vi.stubGlobal('postMessage', port.postMessage.bind(port));
    await import('../../../workers/tuner.worker');
    port.start();
    tuner = Comlink.wrap<TunerWorkerApi>(channel.port1);
  });
  afterAll(() => {
    channel.port1.close();
    vi.unstubAllGlobals();
  });

  /** Trials asked and told through the worker, as the job runner does. */
  async function complete(count: number): Promise<Params[]> {
    const trials = await tuner.ask(count);
    for (const t of trials) await tuner.tell(t.id, { value: loss(t.params) });
    return trials.map((t) => t.params);
  }

  it('answers slices and importance from the display belief beside the bayesian strategy', async () => {
    await expect(tuner.slice('lr', {})).rejects.toThrow(/has not been started/);
    await tuner.start('bayesian', { space, goal: 'minimize', seed: 2 });
    await tuner.observe({ lr: 0.01, depth: 2, opt: 'adam' }, 0.2);
    expect(await tuner.slice('lr', { lr: 0.01, depth: 2, opt: 'adam' })).toBeNull();
    expect(await tuner.importance()).toBeNull();
    const [best] = await complete(3);
    // The fit runs in a later macrotask than the tell; the slice queued after it sees it.
    const slice = await tuner.slice('lr', best, 12);
    expect(slice).toHaveLength(12);
    for (const point of slice!) expect(point.lower).toBeLessThanOrEqual(point.upper);
    const importance = await tuner.importance();
    expect(importance?.method).toBe('lengthscales');
    expect(importance!.parameters.map((p) => p.name)).toEqual(['lr', 'depth', 'opt']);
    await expect(tuner.slice('nope', best)).rejects.toThrow(/not a parameter/);
    // The job's end is nothing to the worker: it keeps answering, and asks go on being served.
    const [again] = await Promise.all([tuner.slice('opt', best), tuner.slice('depth', best), tuner.ask(1)]);
    expect(again!.map((p) => p.value)).toEqual(['sgd', 'adam']);
  });

  it("takes a shown job's trials in one call: the strategy learns them all, and the display model rests on them", async () => {
    const points = [0.001, 0.01, 0.05, 0.2, 0.7].map((lr, i) => {
      const params = { lr, depth: 1 + i, opt: i % 2 ? 'adam' : 'sgd' };
      return { params, value: loss(params) };
    });
    await tuner.start('bayesian', { space, goal: 'minimize', seed: 4 });
    const alone = createStrategy('bayesian', { space, goal: 'minimize', seed: 4 });
    for (const { params, value } of points) alone.observe(params, value);
    await tuner.observeAll(points);
    expect(await tuner.ask(1)).toEqual(alone.ask(1));
    expect((await tuner.importance())?.results).toBe(points.length);
    expect(await tuner.slice('lr', points[1].params, 8)).toHaveLength(8);
  });

  it('suggests what the strategy alone would: the belief takes nothing from it', async () => {
    await tuner.start('bayesian', { space, goal: 'minimize', seed: 5 });
    const alone = createStrategy('bayesian', { space, goal: 'minimize', seed: 5 });
    for (let i = 0; i < 9; i++) {
      const viaWorker = await askInStep(alone, loss);
      if (i >= 2) await tuner.slice('lr', viaWorker.params);
    }
  });

  it("under hyperband answers from the joint GP at the full budget, and suggests what the strategy alone would", async () => {
    const hbSpace: SearchSpace = { lr: space.lr, epochs: { type: 'integer', min: 1, max: 9 } };
    const value = (p: Params) => (Math.log10(p.lr as number) + 2) ** 2 + 1 / (p.epochs as number);
    await tuner.start('hyperband', { space: hbSpace, goal: 'minimize', seed: 4 });
    const alone = createStrategy('hyperband', { space: hbSpace, goal: 'minimize', seed: 4 });
    let sliced = 0;
    for (let i = 0; i < 14; i++) {
      const viaWorker = await askInStep(alone, value);
      const slice = await tuner.slice('lr', viaWorker.params, 10);
      if (slice) sliced++;
      await tuner.importance();
      await tuner.recommend();
    }
    expect(sliced).toBeGreaterThan(10);
    const importance = await tuner.importance();
    expect(importance).toMatchObject({ method: 'lengthscales', fullBudget: 9 });
    expect(importance!.parameters.map((p) => p.name)).toEqual(['lr']);
  });

  it("shows a Hyperband job's trials, told in one call, through the joint GP at the full budget", async () => {
    const hbSpace: SearchSpace = { lr: space.lr, epochs: { type: 'integer', min: 1, max: 9 } };
    const value = (p: Params) => (Math.log10(p.lr as number) + 2) ** 2 + 1 / (p.epochs as number);
    // A finished job's runs at rungs 1, 3 and 9, as a kept or imported job holds them.
    const points = [1e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 1].flatMap((lr, i) =>
      [1, 3, 9].filter((epochs) => epochs === 1 || i % 2 === 1 || epochs === 3).map((epochs) => ({ params: { lr, epochs }, value: value({ lr, epochs }) })),
    );
    expect(points.filter((p) => p.params.epochs === 9).length).toBeGreaterThanOrEqual(2);
    await tuner.start('hyperband', { space: hbSpace, goal: 'minimize', seed: 5 });
    await tuner.observeAll(points);
    const recommended = await tuner.recommend();
    // The best full-budget run is lr 0.01; the recommendation is a full-budget configuration.
    expect(recommended?.params).toEqual({ lr: 0.01, epochs: 9 });
    expect(recommended?.basis).toBe('model');
    expect(await tuner.slice('lr', recommended!.params, 10)).toHaveLength(10);
    expect(await tuner.importance()).toMatchObject({ method: 'lengthscales', fullBudget: 9 });
  });

  it('registers a point the page runs again: the strategy holds it pending and the belief learns its result', async () => {
    await tuner.start('random', { space, goal: 'minimize', seed: 3 });
    await expect(tuner.register({ lr: 2, depth: 1, opt: 'sgd' })).rejects.toThrow(/out of range/);
    const [first] = await complete(1);
    const id = await tuner.register(first);
    expect(id).toBe('t2');
    // One completed trial: the belief has nothing to show yet; the re-run's result makes two.
    expect(await tuner.importance()).toBeNull();
    await tuner.tell(id, { value: loss(first) + 0.05 });
    expect((await tuner.importance())?.method).toBe('variance');
    await expect(tuner.tell(id, { value: 1 })).rejects.toThrow(/Unknown trial/);
  });

  it('gives the model-free importance and no slice for random search', async () => {
    await tuner.start('random', { space, goal: 'maximize', seed: 2 });
    const [at] = await complete(4);
    expect(await tuner.slice('lr', at)).toBeNull();
    const importance = await tuner.importance();
    expect(importance?.method).toBe('variance');
  });
});
