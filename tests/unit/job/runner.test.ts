import { describe, expect, it, vi } from 'vitest';
import { defaultJob, type JobDefinition } from '../../../src/lib/config';
import { JobRunner, type JobEvent } from '../../../src/lib/job';
import type { Params } from '../../../src/lib/space';
import { RandomStrategy } from '../../../src/lib/tuner/random';
import type { Outcome } from '../../../src/lib/tuner/types';
import { FakeExecutor, flush, RecordingStrategy } from './fakes';

function setup(overrides: Partial<JobDefinition> = {}) {
  const job = { ...defaultJob(), ...overrides };
  const strategy = new RecordingStrategy({ space: job.parameters, goal: 'maximize', seed: 1 });
  const executor = new FakeExecutor();
  const runner = new JobRunner(job, strategy, executor);
  return { job, strategy, executor, runner };
}

describe('JobRunner', () => {
  it('runs exactly maxJobs trials, never more than maxParallelJobs at once', async () => {
    const { executor, runner, strategy } = setup({ maxJobs: 5, maxParallelJobs: 2 });
    const done = runner.start();
    for (let round = 0; round < 10 && runner.status === 'running'; round++) {
      await flush();
      expect(executor.running.size).toBeLessThanOrEqual(2);
      executor.completeAll(0.1 * (round + 1));
    }
    await done;
    expect(runner.status).toBe('completed');
    expect(runner.trials).toHaveLength(5);
    expect(executor.maxConcurrent).toBe(2);
    expect(runner.trials.every((t) => t.status === 'completed')).toBe(true);
    expect(strategy.told.map(([, o]) => o)).toEqual(runner.trials.map((t) => ({ value: t.objective })));
    expect(executor.disposed).toBe(true);
  });

  it('passes fixed and searched hyperparameters to each trial', async () => {
    const { executor, runner } = setup({ maxJobs: 1, maxParallelJobs: 1 });
    void runner.start();
    await flush();
    const [{ spec }] = executor.running.values();
    expect(spec.hyperparameters).toMatchObject({ model: 'tiny-cnn', data: 'synthetic' });
    expect(typeof spec.hyperparameters.lr).toBe('number');
    expect(['sgd', 'nag']).toContain(spec.hyperparameters.optimizer);
  });

  it('takes the last objective value from the log', async () => {
    const { executor, runner } = setup({ maxJobs: 1, maxParallelJobs: 1 });
    const done = runner.start();
    await flush();
    const id = runner.trials[0].id;
    executor.log(id, 'Epoch 1, Validation accuracy=0.30');
    expect(runner.trials[0].objective).toBe(0.3);
    executor.log(id, 'Epoch 2, Validation accuracy=0.45');
    executor.finish(id);
    await done;
    expect(runner.trials[0]).toMatchObject({ status: 'completed', objective: 0.45, metrics: { 'Validation-accuracy': [0.3, 0.45] } });
  });

  it('fails a trial whose log never matches the regex, tells the tuner, and goes on', async () => {
    const { executor, runner, strategy } = setup({ maxJobs: 2, maxParallelJobs: 1 });
    const done = runner.start();
    await flush();
    executor.log(runner.trials[0].id, 'Epoch 1, accuracy 0.5');
    executor.finish(runner.trials[0].id);
    await flush();
    executor.completeAll();
    await done;
    expect(runner.trials[0].status).toBe('failed');
    expect(runner.trials[0].reason).toMatch(/No log line matched.*Validation accuracy/);
    expect(strategy.told[0]).toEqual([runner.trials[0].id, { failed: true }]);
    expect(runner.trials[1].status).toBe('completed');
    expect(runner.status).toBe('completed');
  });

  it('records a trial the executor failed, with its reason, and goes on', async () => {
    const { executor, runner } = setup({ maxJobs: 3, maxParallelJobs: 3 });
    const done = runner.start();
    await flush();
    executor.finish(runner.trials[1].id, { status: 'failed', reason: 'The worker crashed: boom' });
    await flush();
    executor.completeAll();
    await done;
    expect(runner.trials.map((t) => t.status)).toEqual(['completed', 'failed', 'completed']);
    expect(runner.trials[1].reason).toBe('The worker crashed: boom');
  });

  it('stops: running trials end stopped, no new trials start, the job ends stopped', async () => {
    const { executor, runner, strategy } = setup({ maxJobs: 6, maxParallelJobs: 2 });
    const done = runner.start();
    await flush();
    executor.completeAll();
    await flush();
    expect(runner.trials).toHaveLength(4);
    runner.stop('soft');
    await done;
    expect(runner.status).toBe('stopped');
    expect(runner.trials.map((t) => t.status)).toEqual(['completed', 'completed', 'stopped', 'stopped']);
    expect(runner.trials.map((t) => t.stoppedBy)).toEqual([undefined, undefined, 'user', 'user']);
    expect(runner.trials[2].reason).toBe('Stopped by the user.');
    expect(executor.stops.map(([, mode]) => mode)).toEqual(['soft', 'soft']);
    expect(strategy.told.slice(2).map(([, o]) => o)).toEqual([{ failed: true }, { failed: true }]);
    expect(runner.trials.some((t) => t.status === 'running')).toBe(false);
  });

  it('marks trials ended by Stop now as stopped by the user', async () => {
    const { executor, runner } = setup({ maxJobs: 4, maxParallelJobs: 2 });
    const done = runner.start();
    await flush();
    runner.stop('hard');
    await done;
    expect(executor.stops.map(([, mode]) => mode)).toEqual(['hard', 'hard']);
    expect(runner.trials.map((t) => [t.status, t.stoppedBy])).toEqual([['stopped', 'user'], ['stopped', 'user']]);
  });

  it('stops one trial without ending the job', async () => {
    const { executor, runner } = setup({ maxJobs: 2, maxParallelJobs: 1 });
    const done = runner.start();
    await flush();
    runner.stopTrial(runner.trials[0].id, 'hard');
    await flush();
    expect(runner.status).toBe('running');
    executor.completeAll();
    await done;
    expect(runner.trials.map((t) => t.status)).toEqual(['stopped', 'completed']);
    expect(runner.trials.map((t) => t.stoppedBy)).toEqual(['user', undefined]);
    expect(executor.stops).toEqual([[runner.trials[0].id, 'hard']]);
  });

  it('ends early when the space is exhausted', async () => {
    const { executor, runner } = setup({
      maxJobs: 10,
      maxParallelJobs: 2,
      parameters: { opt: { type: 'categorical', values: ['a', 'b', 'c'] } },
    });
    const done = runner.start();
    for (let i = 0; i < 5; i++) {
      await flush();
      executor.completeAll();
    }
    await done;
    expect(runner.trials).toHaveLength(3);
    expect(runner.status).toBe('completed');
    expect(runner.message).toMatch(/exhausted/);
  });

  it("records the engine's lines: epochs, the final line and the resolved hyperparameters, beside the user's metrics", async () => {
    const { executor, runner } = setup({
      maxJobs: 1,
      maxParallelJobs: 1,
      metricDefinitions: [
        { name: 'Validation-accuracy', regex: 'Validation accuracy=([0-9\\.]+)' },
        { name: 'throughput', regex: 'Images/s=([0-9.]+)' },
      ],
    });
    const events: JobEvent[] = [];
    runner.subscribe((event) => events.push(event));
    const done = runner.start();
    await flush();
    const id = runner.trials[0].id;
    const lines = [
      'Hyperparameters {"recipe":1,"model":"tiny-cnn","lr":0.05,"ema":false}',
      'Epoch 1, Train loss=2.1234, Validation accuracy=0.4210, Images/s=1450.0',
      'a line of the trial that is not the engine\'s: Epoch 9, Validation accuracy=0.99',
      'Epoch 2, Train loss=1.5000, Validation accuracy=0.5000, Images/s=1500.5',
      'Final, Test accuracy=0.4012, Seconds=12.3',
    ];
    for (const line of lines) executor.log(id, line);
    executor.finish(id);
    await done;
    expect(runner.trials[0]).toMatchObject({
      status: 'completed',
      recipeVersion: 1,
      resolved: { model: 'tiny-cnn', lr: 0.05, ema: false },
      epochs: [
        { epoch: 1, trainLoss: 2.1234, valAccuracy: 0.421, imagesPerSecond: 1450 },
        { epoch: 2, trainLoss: 1.5, valAccuracy: 0.5, imagesPerSecond: 1500.5 },
      ],
      final: { testAccuracy: 0.4012, seconds: 12.3 },
      metrics: { 'Validation-accuracy': [0.421, 0.99, 0.5], throughput: [1450, 1500.5] },
      objective: 0.5,
      logs: lines,
    });
    // The trial event sent after the first epoch line still holds one epoch: events are snapshots.
    const afterFirstEpoch = events.find((e) => e.type === 'trial' && e.trial.logs.length === 2);
    expect(afterFirstEpoch?.type === 'trial' && afterFirstEpoch.trial.epochs).toEqual([runner.trials[0].epochs[0]]);
  });

  it('marks a trial stopped because the job failed as stopped by neither the rule nor the user', async () => {
    const job = { ...defaultJob(), maxJobs: 2, maxParallelJobs: 2 };
    const strategy = new RandomStrategy({ space: job.parameters, goal: 'maximize', seed: 1 });
    const client = {
      ask: (n: number) => strategy.ask(n),
      register: (params: Params) => strategy.register(params),
      tell: () => Promise.reject(new Error('GP exploded')),
      observe: () => {},
    };
    const executor = new FakeExecutor();
    const runner = new JobRunner(job, client, executor);
    const events: JobEvent[] = [];
    runner.subscribe((event) => events.push(event));
    const done = runner.start();
    await flush();
    const [first, second] = runner.trials.map((t) => t.id);
    executor.log(first, 'Epoch 1, Validation accuracy=0.5');
    executor.finish(first);
    await done;
    expect(runner.status).toBe('failed');
    expect(executor.stops).toEqual([[second, 'hard']]);
    // The running trial is recorded as stopped before the job's end, not when its worker confirms
    // (which a closed tab never hears): a store following the events never keeps it as running.
    const stoppedAt = events.findIndex((e) => e.type === 'trial' && e.trial.id === second && e.trial.status === 'stopped');
    const failedAt = events.findIndex((e) => e.type === 'job' && e.status === 'failed');
    expect(stoppedAt).toBeGreaterThanOrEqual(0);
    expect(stoppedAt).toBeLessThan(failedAt);
    // The worker's confirmation arrives after it and changes nothing.
    await flush();
    expect(runner.trials[1]).toMatchObject({ status: 'stopped', reason: 'Stopped because the job failed.' });
    expect(runner.trials[1].stoppedBy).toBeUndefined();
  });

  it("sends step progress as its own event, without the trial's logs, and keeps the latest on the trial", async () => {
    const { executor, runner } = setup({ maxJobs: 1, maxParallelJobs: 1 });
    const events: JobEvent[] = [];
    runner.subscribe((event) => events.push(event));
    const done = runner.start();
    await flush();
    const id = runner.trials[0].id;
    executor.log(id, 'Epoch 1, Validation accuracy=0.30');
    const first = { epoch: 1, step: 8, totalSteps: 20, stepsPerEpoch: 10 };
    const second = { epoch: 1, step: 10, totalSteps: 20, stepsPerEpoch: 10 };
    const trialEventsBefore = events.filter((e) => e.type === 'trial').length;
    executor.progress(id, first);
    executor.progress(id, second);
    expect(events.slice(-2)).toEqual([
      { type: 'progress', trialId: id, progress: first },
      { type: 'progress', trialId: id, progress: second },
    ]);
    expect(events.filter((e) => e.type === 'trial')).toHaveLength(trialEventsBefore);
    expect(runner.trials[0].progress).toEqual(second);
    executor.finish(id);
    await done;
    // Later trial events carry the latest progress with the rest of the trial.
    const last = events.filter((e) => e.type === 'trial').at(-1);
    expect(last?.type === 'trial' && last.trial).toMatchObject({ status: 'completed', progress: second });
  });

  it('ignores progress from a trial that has ended', async () => {
    const { executor, runner } = setup({ maxJobs: 2, maxParallelJobs: 1 });
    const events: JobEvent[] = [];
    runner.subscribe((event) => events.push(event));
    const done = runner.start();
    await flush();
    const { hooks } = executor.running.get(runner.trials[0].id)!;
    executor.completeAll();
    await flush();
    hooks.onProgress({ epoch: 2, step: 20, totalSteps: 20, stepsPerEpoch: 10 });
    expect(events.some((e) => e.type === 'progress')).toBe(false);
    expect(runner.trials[0].progress).toBeUndefined();
    executor.completeAll();
    await done;
  });

  it('fails the job with a message when the tuner throws', async () => {
    const job = defaultJob();
    const executor = new FakeExecutor();
    const runner = new JobRunner(job, { ask: () => Promise.reject(new Error('GP exploded')), register: () => 't1', tell: () => {}, observe: () => {} }, executor);
    await runner.start();
    expect(runner.status).toBe('failed');
    expect(runner.message).toBe('The tuner failed: GP exploded');
  });
});

describe('JobRunner with early stopping "auto"', () => {
  it('stops a trial whose curve falls below the median of completed curves, and tells the tuner its last value', async () => {
    const { executor, runner, strategy } = setup({ maxJobs: 4, maxParallelJobs: 1, earlyStopping: 'auto' });
    const done = runner.start();
    const good = [0.3, 0.5, 0.6, 0.7];
    for (let trial = 0; trial < 3; trial++) {
      await flush();
      const id = runner.trials[trial].id;
      good.forEach((acc, epoch) => executor.log(id, `Epoch ${epoch + 1}, Validation accuracy=${acc + trial * 0.01}`));
      executor.finish(id);
    }
    await flush();
    const slow = runner.trials[3].id;
    [0.3, 0.45].forEach((acc, epoch) => executor.log(slow, `Epoch ${epoch + 1}, Validation accuracy=${acc}`));
    expect(executor.stops).toEqual([]);
    // Step 3: 0.2 is below the median running average of the completed trials (about 0.48).
    executor.log(slow, 'Epoch 3, Validation accuracy=0.2');
    expect(executor.stops).toEqual([[slow, 'soft']]);
    await done;
    expect(runner.trials[3]).toMatchObject({ status: 'stopped', objective: 0.2, stoppedBy: 'rule' });
    expect(runner.trials[3].reason).toMatch(/^Stopped early at step 3: 0.2 is worse than the median/);
    expect(strategy.told.at(-1)).toEqual([slow, { value: 0.2 }]);
    expect(runner.trials.slice(0, 3).every((t) => t.status === 'completed')).toBe(true);
  });

  it('never stops early when the option is off', async () => {
    const { executor, runner } = setup({ maxJobs: 4, maxParallelJobs: 1, earlyStopping: 'off' });
    const done = runner.start();
    for (let trial = 0; trial < 4; trial++) {
      await flush();
      const id = runner.trials[trial].id;
      const curve = trial < 3 ? [0.5, 0.6, 0.7, 0.8] : [0.1, 0.1, 0.1, 0.1];
      curve.forEach((acc, epoch) => executor.log(id, `Epoch ${epoch + 1}, Validation accuracy=${acc}`));
      executor.finish(id);
    }
    await done;
    expect(executor.stops).toEqual([]);
    expect(runner.trials.every((t) => t.status === 'completed')).toBe(true);
  });
});

describe('JobRunner warm start', () => {
  it('gives earlier results to the strategy before the first ask, leaving out points outside the space', async () => {
    const job = { ...defaultJob(), maxJobs: 1, maxParallelJobs: 1 };
    const calls: string[] = [];
    const strategy = new RandomStrategy({ space: job.parameters, goal: 'maximize', seed: 1 });
    const client = {
      ask: (n: number) => (calls.push('ask'), strategy.ask(n)),
      register: (params: Params) => strategy.register(params),
      tell: (id: string, o: Outcome) => strategy.tell(id, o),
      observe: (params: Record<string, string | number>, value: number) => void calls.push(`observe ${params.lr} ${value}`),
    };
    const executor = new FakeExecutor();
    const inside = { lr: 0.01, momentum: 0.9, optimizer: 'nag' };
    const outside = { lr: 5, momentum: 0.9, optimizer: 'nag' };
    const runner = new JobRunner(job, client, executor, { warmStart: [{ params: inside, value: 0.4 }, { params: outside, value: 0.9 }] });
    const done = runner.start();
    await flush();
    executor.completeAll();
    await done;
    expect(calls).toEqual(['observe 0.01 0.4', 'ask']);
    expect(runner.message).toBe('Warm-started from 1 earlier trial (1 outside this search space left out).');
  });
});

describe('JobRunner.enqueue (Re-run)', () => {
  /** Starts a job and waits until its first trials run. */
  async function running(overrides: Partial<JobDefinition>) {
    const context = setup(overrides);
    const done = context.runner.start();
    await flush();
    return { ...context, done };
  }

  it('runs the trial before any new suggestion once there is room, with exactly its params and a new seed, and tells the strategy its result', async () => {
    const { executor, runner, strategy, job, done } = await running({ maxJobs: 4, maxParallelJobs: 2 });
    const [first, second] = runner.trials;
    const rerun = await runner.enqueue(first.params, { rerunOf: 1 });
    expect(rerun).toMatchObject({ number: 3, rerunOf: 1, status: 'pending', params: first.params });
    expect(strategy.registered).toEqual([[rerun.id, first.params]]);
    // Both slots are taken: it waits, and counts as active so that nothing new is asked for.
    expect([...executor.running.keys()]).toEqual([first.id, second.id]);
    const firstSeed = executor.running.get(first.id)!.spec.seed;
    executor.log(first.id, 'Epoch 1, Validation accuracy=0.6');
    executor.finish(first.id);
    await flush();
    expect([...executor.running.keys()]).toEqual([second.id, rerun.id]);
    expect(strategy.asked).toBe(2);
    const spec = executor.running.get(rerun.id)!.spec;
    expect(spec.hyperparameters).toEqual({ ...job.fixed, ...first.params });
    expect(spec.seed).toBe(job.seed * 100_003 + 3);
    expect(spec.seed).not.toBe(firstSeed);
    executor.log(rerun.id, 'Epoch 1, Validation accuracy=0.58');
    executor.finish(rerun.id);
    for (let round = 0; round < 5 && runner.status === 'running'; round++) {
      await flush();
      executor.completeAll();
    }
    await done;
    expect(executor.maxConcurrent).toBe(2);
    expect(strategy.told).toContainEqual([rerun.id, { value: 0.58 }]);
    expect(runner.trials[2]).toMatchObject({ status: 'completed', objective: 0.58, rerunOf: 1 });
    expect(runner.trials.filter((t) => t.rerunOf === undefined)).toHaveLength(4);
  });

  it('comes on top of maxJobs: the job asks for maxJobs suggestions and ends only after the re-run', async () => {
    const { executor, runner, strategy, done } = await running({ maxJobs: 1, maxParallelJobs: 1 });
    const rerun = await runner.enqueue(runner.trials[0].params);
    // Without rerunOf the trial is one the user added: marked so, since it too comes on top of max jobs.
    expect(rerun.rerunOf).toBeUndefined();
    expect(rerun.added).toBe(true);
    executor.completeAll();
    await flush();
    expect(runner.status).toBe('running');
    expect(executor.running.has(rerun.id)).toBe(true);
    executor.completeAll(0.55);
    await done;
    expect(runner.status).toBe('completed');
    expect(runner.message).toBeUndefined();
    expect(runner.trials.map((t) => t.status)).toEqual(['completed', 'completed']);
    expect(strategy.asked).toBe(1);
  });

  it('stops a waiting trial without the executor: Stop trial, and Stop for the whole job', async () => {
    const { executor, runner, strategy, done } = await running({ maxJobs: 3, maxParallelJobs: 1 });
    const first = runner.trials[0];
    const stopped = await runner.enqueue(first.params, { rerunOf: 1 });
    runner.stopTrial(stopped.id, 'hard');
    await flush();
    expect(runner.trials[1]).toMatchObject({ status: 'stopped', stoppedBy: 'user', reason: 'Stopped by the user.' });
    expect(executor.stops).toEqual([]);
    expect(strategy.told).toEqual([[stopped.id, { failed: true }]]);
    expect(runner.status).toBe('running');

    const waiting = await runner.enqueue(first.params, { rerunOf: 1 });
    runner.stop('soft');
    await done;
    expect(runner.status).toBe('stopped');
    expect(runner.trials.map((t) => [t.status, t.stoppedBy])).toEqual([['stopped', 'user'], ['stopped', 'user'], ['stopped', 'user']]);
    expect(executor.stops).toEqual([[first.id, 'soft']]);
    expect(strategy.told).toContainEqual([waiting.id, { failed: true }]);
  });

  it('ends a waiting trial as stopped by the failure when the job is aborted', async () => {
    const { executor, runner, done } = await running({ maxJobs: 3, maxParallelJobs: 1 });
    const waiting = await runner.enqueue(runner.trials[0].params);
    runner.abort('The tuner worker crashed: boom');
    await done;
    expect(runner.status).toBe('failed');
    expect(runner.trials.find((t) => t.id === waiting.id)).toMatchObject({ status: 'stopped', reason: 'Stopped because the job failed.' });
    expect(runner.trials.find((t) => t.id === waiting.id)?.stoppedBy).toBeUndefined();
    expect(executor.running.has(waiting.id)).toBe(false);
  });

  it('starts nothing unless the job is running, and says why', async () => {
    const { executor, runner, strategy } = setup({ maxJobs: 1, maxParallelJobs: 1 });
    const params = { lr: 0.01, momentum: 0.9, optimizer: 'nag' };
    await expect(runner.enqueue(params)).rejects.toThrow('The job has not started: it can run a trial again once it runs.');
    const done = runner.start();
    await flush();
    await expect(runner.enqueue({ ...params, lr: 5 })).rejects.toThrow(/^These hyperparameters are outside the job's search space: "lr" = 5 is out of range/);
    await expect(runner.enqueue(params, { rerunOf: 7 })).rejects.toThrow('There is no trial 7 to re-run.');
    await expect(runner.enqueue(params, { rerunOf: 1 })).rejects.toThrow('Trial 1 ran other hyperparameters than these.');
    executor.completeAll();
    await done;
    await expect(runner.enqueue(params)).rejects.toThrow('The job has ended: start a new job to run these hyperparameters again.');
    expect(strategy.registered).toEqual([]);
    expect(runner.trials).toHaveLength(1);
  });

  it('hands the point back when the job is stopped while the tuner registers it', async () => {
    const job = { ...defaultJob(), maxJobs: 2, maxParallelJobs: 1 };
    const strategy = new RecordingStrategy({ space: job.parameters, goal: 'maximize', seed: 1 });
    let registered!: () => void;
    const client = {
      ask: (n: number) => strategy.ask(n),
      register: (params: Params) => new Promise<string>((resolve) => (registered = () => resolve(strategy.register(params)))),
      tell: (id: string, o: Outcome) => strategy.tell(id, o),
      observe: () => {},
    };
    const executor = new FakeExecutor();
    const runner = new JobRunner(job, client, executor);
    const done = runner.start();
    await flush();
    const enqueued = runner.enqueue(runner.trials[0].params);
    await flush();
    runner.stop('soft');
    registered();
    await expect(enqueued).rejects.toThrow('The job has been stopped: start a new job to run these hyperparameters again.');
    await done;
    const [[id]] = strategy.registered;
    expect(strategy.told).toContainEqual([id, { failed: true }]);
    expect(runner.trials).toHaveLength(1);
  });

  it('registers only after the warm start has reached the strategy', async () => {
    const job = { ...defaultJob(), maxJobs: 1, maxParallelJobs: 1 };
    const strategy = new RandomStrategy({ space: job.parameters, goal: 'maximize', seed: 1 });
    const calls: string[] = [];
    let observed!: () => void;
    const client = {
      ask: (n: number) => (calls.push('ask'), strategy.ask(n)),
      register: (params: Params) => (calls.push('register'), strategy.register(params)),
      tell: (id: string, o: Outcome) => strategy.tell(id, o),
      observe: () => new Promise<void>((resolve) => (observed = () => (calls.push('observe'), resolve()))),
    };
    const executor = new FakeExecutor();
    const params = { lr: 0.01, momentum: 0.9, optimizer: 'nag' };
    const runner = new JobRunner(job, client, executor, { warmStart: [{ params, value: 0.4 }] });
    const done = runner.start();
    const enqueued = runner.enqueue(params);
    await flush();
    expect(calls).toEqual([]);
    observed();
    const rerun = await enqueued;
    expect(calls[0]).toBe('observe');
    expect(calls).toContain('register');
    for (let round = 0; round < 3; round++) {
      await flush();
      executor.completeAll();
    }
    await done;
    expect(runner.trials.map((t) => t.status)).toEqual(['completed', 'completed']);
    expect(runner.trials.map((t) => t.id)).toContain(rerun.id);
  });
});

describe('JobRunner completion criteria', () => {
  it('ends after the trial that reaches the target: nothing new starts, running trials stop softly, the job says why', async () => {
    const { executor, runner, strategy } = setup({ maxJobs: 6, maxParallelJobs: 2, completion: { targetObjective: 0.9 } });
    const done = runner.start();
    await flush();
    const [first, second] = runner.trials;
    executor.log(first.id, 'Epoch 1, Validation accuracy=0.95');
    executor.finish(first.id);
    await done;
    expect(runner.status).toBe('completed');
    expect(runner.message).toBe('Target 0.9 reached by trial 1 (0.95).');
    expect(runner.trials).toHaveLength(2);
    expect(executor.stops).toEqual([[second.id, 'soft']]);
    expect(runner.trials[1]).toMatchObject({ status: 'stopped', reason: expect.stringContaining('Target 0.9 reached') });
    expect(runner.trials[1].stoppedBy).toBeUndefined();
    expect(strategy.told).toHaveLength(2);
  });

  it('reads the target the other way round when minimizing', async () => {
    const { executor, runner } = setup({ maxJobs: 4, maxParallelJobs: 1, objective: { metric: 'Validation-accuracy', goal: 'minimize' }, completion: { targetObjective: 0.2 } });
    const done = runner.start();
    for (const value of [0.5, 0.3, 0.1]) {
      await flush();
      executor.completeAll(value);
    }
    await done;
    expect(runner.trials.map((t) => t.objective)).toEqual([0.5, 0.3, 0.1]);
    expect(runner.message).toBe('Target 0.2 reached by trial 3 (0.1).');
  });

  it('ends after N finished trials in a row without a new best', async () => {
    const { executor, runner } = setup({ maxJobs: 10, maxParallelJobs: 1, completion: { trialsWithoutImprovement: 2 } });
    const done = runner.start();
    for (const value of [0.3, 0.5, 0.4, 0.6, 0.2, 0.6]) {
      await flush();
      if (runner.status === 'running') executor.completeAll(value);
    }
    await done;
    // 0.6 at trial 4 is the best; 0.2 and an equal 0.6 are two trials without improvement.
    expect(runner.trials).toHaveLength(6);
    expect(runner.message).toBe('No improvement in the last 2 trials; the best is trial 4 (0.6).');
  });

  it('ends when the time budget is used up, counting the running time of earlier runs', async () => {
    vi.useFakeTimers();
    try {
      const job = { ...defaultJob(), maxJobs: 5, maxParallelJobs: 1, completion: { maxRuntimeSeconds: 60 } };
      const strategy = new RecordingStrategy({ space: job.parameters, goal: 'maximize', seed: 1 });
      const executor = new FakeExecutor();
      const runner = new JobRunner(job, strategy, executor, { priorRuntimeMs: 45_000 });
      const done = runner.start();
      await vi.advanceTimersByTimeAsync(10_000);
      expect(runner.status).toBe('running');
      expect(runner.runtimeMs).toBe(55_000);
      await vi.advanceTimersByTimeAsync(5_000);
      await done;
      expect(runner.status).toBe('completed');
      expect(runner.message).toBe('The time budget of 60 s is used up.');
      expect(runner.trials[0].status).toBe('stopped');
      expect(runner.runtimeMs).toBe(60_000);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('JobRunner retries', () => {
  it('retries a trial whose worker failed it, as attempt 2 of the same trial, and tells the tuner only the last attempt', async () => {
    const { executor, runner, strategy } = setup({ maxJobs: 2, maxParallelJobs: 1, retries: 1 });
    const done = runner.start();
    await flush();
    const first = runner.trials[0];
    executor.log(first.id, 'Epoch 1, Validation accuracy=0.2');
    executor.finish(first.id, { status: 'failed', reason: 'The GPU device was lost (destroyed)', retryable: true });
    await flush();
    expect(runner.trials).toHaveLength(1);
    expect(runner.trials[0]).toMatchObject({ status: 'running', attempt: 2, logs: [], failedAttempts: [{ attempt: 1, reason: 'The GPU device was lost (destroyed)' }] });
    expect(runner.trials[0].objective).toBeUndefined();
    expect(strategy.told).toEqual([]);
    const [{ spec }] = executor.running.values();
    expect(spec.trialId).toBe(first.id);
    expect(spec.seed).toBe(first.seed);
    executor.completeAll(0.7);
    await flush();
    executor.completeAll(0.6);
    await done;
    // The retry did not count towards maxJobs: two trials, both told once.
    expect(runner.trials.map((t) => [t.number, t.status, t.objective])).toEqual([
      [1, 'completed', 0.7],
      [2, 'completed', 0.6],
    ]);
    expect(strategy.told.map(([id]) => id)).toEqual([first.id, runner.trials[1].id]);
  });

  it('fails the trial once its retries are spent, and never retries a failure of its own', async () => {
    const { executor, runner, strategy } = setup({ maxJobs: 2, maxParallelJobs: 1, retries: 1 });
    const done = runner.start();
    await flush();
    const crash = { status: 'failed' as const, reason: 'The trainer worker crashed: boom', retryable: true };
    executor.finish(runner.trials[0].id, crash);
    await flush();
    executor.finish(runner.trials[0].id, crash);
    await flush();
    expect(runner.trials[0]).toMatchObject({ status: 'failed', attempt: 2, reason: crash.reason });
    executor.finish(runner.trials[1].id, { status: 'failed', reason: 'diverged: the training loss became NaN by step 8.' });
    await done;
    expect(runner.trials[1]).toMatchObject({ status: 'failed' });
    expect(runner.trials[1].attempt).toBeUndefined();
    expect(strategy.told).toEqual([
      [runner.trials[0].id, { failed: true }],
      [runner.trials[1].id, { failed: true }],
    ]);
  });

  it('commits a finished trial (beforeTell) before the tuner is told of it', async () => {
    const order: string[] = [];
    const job = { ...defaultJob(), maxJobs: 1, maxParallelJobs: 1 };
    const strategy = new RecordingStrategy({ space: job.parameters, goal: 'maximize', seed: 1 });
    const tell = strategy.tell.bind(strategy);
    strategy.tell = (id, outcome) => {
      order.push('tell');
      tell(id, outcome);
    };
    const executor = new FakeExecutor();
    const runner = new JobRunner(job, strategy, executor, {
      beforeTell: async (trial) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        order.push(`commit ${trial.status} ${trial.objective}`);
      },
    });
    const done = runner.start();
    await flush();
    executor.completeAll(0.4);
    await done;
    expect(order).toEqual(['commit completed 0.4', 'tell']);
  });
});
