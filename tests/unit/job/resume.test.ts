import { describe, expect, it } from 'vitest';
import type { Trial } from '../../../src/lib/job';
import { flush, setup } from './fakes';

/** A first run of 4 trials, 1 at a time, left with `completed` finished and the next one running: what a store kept. */
async function earlierRun(completed: number, overrides = {}): Promise<Trial[]> {
  const { executor, runner } = setup({ maxJobs: 4, maxParallelJobs: 1, ...overrides });
  void runner.start();
  for (let i = 0; i < completed; i++) {
    await flush();
    const id = runner.trials[i].id;
    executor.log(id, `Epoch 1, Validation accuracy=${0.1 * (i + 1)}`);
    executor.log(id, `Epoch 2, Validation accuracy=${0.2 * (i + 1)}`);
    executor.finish(id);
  }
  await flush();
  // The page went away here: nothing more happens to this runner.
  return structuredClone(runner.trials);
}

describe('JobRunner resume', () => {
  it('continues the numbering, tells the tuner the finished trials, reruns the interrupted one, and stops at max jobs', async () => {
    const earlier = await earlierRun(2);
    expect(earlier.map((t) => [t.number, t.status])).toEqual([
      [1, 'completed'],
      [2, 'completed'],
      [3, 'running'],
    ]);
    const { executor, runner, strategy, job } = setup({ maxJobs: 4, maxParallelJobs: 1 }, { resume: { trials: earlier } });
    expect(runner.trials.map((t) => t.number)).toEqual([1, 2]);
    const done = runner.start();
    await flush();
    expect(strategy.observed).toEqual([
      [earlier[0].params, 0.2],
      [earlier[1].params, 0.4],
    ]);
    // The interrupted trial runs again first, registered, as trial 3 with its hyperparameters and a new seed.
    expect(strategy.registered.map(([, params]) => params)).toEqual([earlier[2].params]);
    expect(runner.trials[2]).toMatchObject({ number: 3, params: earlier[2].params, status: 'running', seed: job.seed * 100_003 + 3 });
    expect(runner.trials[2].id).not.toBe(earlier[2].id);
    expect(runner.message).toBe('Resumed: the tuner was told 2 finished trials; 1 interrupted trial runs again.');
    executor.completeAll(0.5);
    await flush();
    expect(runner.trials.map((t) => t.number)).toEqual([1, 2, 3, 4]);
    executor.completeAll(0.6);
    await done;
    expect(runner.status).toBe('completed');
    expect(runner.trials).toHaveLength(4);
    // Two new asks in all would be one too many: trial 3 was the earlier run's suggestion.
    expect(strategy.asked).toBe(1);
    expect(runner.trials.slice(0, 2)).toEqual(earlier.slice(0, 2).map((t) => ({ ...t, id: `earlier-${t.number}` })));
    // Every id is distinct: the new tuner's ids (t1, t2) would otherwise repeat the earlier run's.
    expect(new Set(runner.trials.map((t) => t.id)).size).toBe(4);
  });

  it('gives the strategy as its budget the suggestions left: max jobs less those the earlier run spent, none under Hyperband', async () => {
    expect(setup({ maxJobs: 4 }).runner.strategyMaxTrials).toBe(4);
    const earlier = await earlierRun(2);
    const { runner, strategy, executor } = setup({ maxJobs: 4, maxParallelJobs: 1 }, { resume: { trials: earlier } });
    // Trials 1 and 2 finished and 3 runs again (a registered re-run, not an ask): one ask is left.
    expect(runner.strategyMaxTrials).toBe(1);
    const done = runner.start();
    await flush();
    executor.completeAll(0.5);
    await flush();
    executor.completeAll(0.6);
    await done;
    expect(strategy.asked).toBe(1);
    const hyperband = setup({ strategy: 'hyperband', maxJobs: 4, parameters: { lr: { type: 'continuous', min: 0.001, max: 0.1, scale: 'log' }, epochs: { type: 'integer', min: 1, max: 9 } } });
    expect(hyperband.runner.strategyMaxTrials).toBeUndefined();
  });

  it('counts neither added trials nor re-runs of the earlier run as suggestions spent, and keeps the mark of an interrupted one', async () => {
    const { executor, runner: first } = setup({ maxJobs: 3, maxParallelJobs: 1 });
    void first.start();
    await flush();
    const added = await first.enqueue({ lr: 0.01, momentum: 0.9, optimizer: 'sgd' });
    const rerun = await first.enqueue(first.trials[0].params, { rerunOf: 1 });
    executor.completeAll(0.3);
    await flush();
    expect(first.trials.map((t) => [t.number, t.status])).toEqual([[1, 'completed'], [2, 'running'], [3, 'pending']]);
    expect([added.number, rerun.number]).toEqual([2, 3]);
    const earlier = structuredClone(first.trials);
    const { runner, strategy, executor: next } = setup({ maxJobs: 3, maxParallelJobs: 1 }, { resume: { trials: earlier } });
    // One suggestion spent (trial 1): two are left, whatever the added trial and the re-run were.
    expect(runner.strategyMaxTrials).toBe(2);
    const done = runner.start();
    for (let round = 0; round < 6 && runner.status === 'running'; round++) {
      await flush();
      next.completeAll(0.4);
    }
    await done;
    // The interrupted added trial and re-run run again (numbered after the last finished one), still marked; then two new suggestions.
    expect(runner.trials.map((t) => [t.number, t.status, t.added, t.rerunOf])).toEqual([
      [1, 'completed', undefined, undefined],
      [2, 'completed', true, undefined],
      [3, 'completed', undefined, 1],
      [4, 'completed', undefined, undefined],
      [5, 'completed', undefined, undefined],
    ]);
    expect(strategy.asked).toBe(2);
  });

  it('gives the strategy no budget when a finished job is resumed only to run a re-run (max jobs already reached)', async () => {
    const earlier = await earlierRun(2);
    const { runner } = setup({ maxJobs: 2 }, { resume: { trials: earlier } });
    expect(runner.strategyMaxTrials).toBeUndefined();
  });

  it('tells failed and user-stopped trials as failed points, rule-stopped ones their value', async () => {
    const earlier = await earlierRun(3);
    earlier[0] = { ...earlier[0], status: 'failed', reason: 'diverged', objective: undefined };
    earlier[1] = { ...earlier[1], status: 'stopped', stoppedBy: 'user' };
    earlier[2] = { ...earlier[2], status: 'stopped', stoppedBy: 'rule' };
    earlier.pop();
    const { runner, strategy } = setup({ maxJobs: 4, maxParallelJobs: 1 }, { resume: { trials: earlier } });
    void runner.start();
    await flush();
    expect(strategy.observed.map(([, v]) => v)).toEqual([Number.NaN, Number.NaN, 0.6000000000000001]);
    expect(runner.trials.map((t) => t.number)).toEqual([1, 2, 3, 4]);
    expect(strategy.registered).toEqual([]);
  });

  it('ends at once, completed, when the earlier run had already spent max jobs', async () => {
    const earlier = await earlierRun(4);
    expect(earlier.every((t) => t.status === 'completed')).toBe(true);
    const { runner, strategy } = setup({ maxJobs: 4, maxParallelJobs: 1 }, { resume: { trials: earlier } });
    await runner.start();
    expect(runner.status).toBe('completed');
    expect(strategy.asked).toBe(0);
    expect(runner.trials).toHaveLength(4);
  });

  it('rebuilds the median rule from the stored curves', async () => {
    const { executor, runner } = setup({ maxJobs: 6, maxParallelJobs: 1, earlyStopping: 'auto' });
    void runner.start();
    for (let i = 0; i < 3; i++) {
      await flush();
      const id = runner.trials[i].id;
      for (const epoch of [1, 2, 3]) executor.log(id, `Epoch ${epoch}, Validation accuracy=0.${5 + epoch}`);
      executor.finish(id);
    }
    await flush();
    const earlier = structuredClone(runner.trials).filter((t) => t.status === 'completed');
    const resumed = setup({ maxJobs: 6, maxParallelJobs: 1, earlyStopping: 'auto' }, { resume: { trials: earlier } });
    void resumed.runner.start();
    await flush();
    const trial = resumed.runner.trials[3];
    expect(trial.number).toBe(4);
    for (const epoch of [1, 2, 3]) resumed.executor.log(trial.id, `Epoch ${epoch}, Validation accuracy=0.1`);
    await flush();
    // Three completed curves from the earlier run are the median's references: a poor curve stops at step 3.
    expect(resumed.runner.trials[3]).toMatchObject({ status: 'stopped', stoppedBy: 'rule' });
    expect(resumed.executor.stops).toEqual([[trial.id, 'soft']]);
  });

  it('counts the earlier run time against the time budget and trials without improvement across the runs', async () => {
    const earlier = await earlierRun(3);
    const { executor, runner } = setup(
      { maxJobs: 10, maxParallelJobs: 1, completion: { trialsWithoutImprovement: 1 } },
      { resume: { trials: earlier.filter((t) => t.status === 'completed') }, priorRuntimeMs: 5000 },
    );
    expect(runner.runtimeMs).toBe(5000);
    const done = runner.start();
    await flush();
    executor.completeAll(0.1);
    await done;
    expect(runner.message).toMatch(/No improvement in the last 1 trials; the best is trial 3/);
  });
});

describe('JobRunner: a re-run of a job that has ended', () => {
  it('resumes the finished job with no new suggestion, runs the re-run asked for as it starts, and ends after it', async () => {
    const earlier = await earlierRun(4);
    expect(earlier.every((t) => t.status === 'completed')).toBe(true);
    const { executor, runner, strategy } = setup({ maxJobs: 4, maxParallelJobs: 1 }, { resume: { trials: earlier } });
    const done = runner.start();
    const rerun = runner.enqueue(earlier[1].params, { rerunOf: 2 });
    await flush();
    expect(runner.status).toBe('running');
    expect(await rerun).toMatchObject({ number: 5, rerunOf: 2, params: earlier[1].params });
    await flush();
    executor.completeAll(0.45);
    await done;
    expect(runner.status).toBe('completed');
    expect(runner.trials.map((t) => [t.number, t.status])).toEqual([
      [1, 'completed'],
      [2, 'completed'],
      [3, 'completed'],
      [4, 'completed'],
      [5, 'completed'],
    ]);
    expect(strategy.asked).toBe(0);
  });
});
