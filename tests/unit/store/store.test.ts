import { IDBFactory, IDBObjectStore } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultJob } from '../../../src/lib/config';
import { JobRunner, type Trial } from '../../../src/lib/job';
import { capLog, JobStore, LOG_HEAD_LINES, LOG_LINE_CAP, STORAGE_FULL_MESSAGE, type Timer } from '../../../src/lib/store';
import { FakeExecutor, flush, RecordingStrategy } from '../job/fakes';

/** A clock the test advances: throttled writes fire only when it says. */
class FakeTimer implements Timer {
  time = 0;
  private queue: { at: number; callback: () => void; handle: number }[] = [];
  private nextHandle = 1;
  set(callback: () => void, ms: number): number {
    const handle = this.nextHandle++;
    this.queue.push({ at: this.time + ms, callback, handle });
    return handle;
  }
  clear(handle: unknown): void {
    this.queue = this.queue.filter((entry) => entry.handle !== handle);
  }
  advance(ms: number): void {
    this.time += ms;
    const due = this.queue.filter((entry) => entry.at <= this.time);
    this.queue = this.queue.filter((entry) => entry.at > this.time);
    for (const entry of due) entry.callback();
  }
}

/** Lets fake-indexeddb run its transactions (it schedules them on macrotasks). */
const settle = async () => {
  for (let i = 0; i < 5; i++) await flush();
};

function jobWithRunner(store: JobStore, overrides = {}) {
  const job = { ...defaultJob(), maxJobs: 3, maxParallelJobs: 1, ...overrides };
  const strategy = new RecordingStrategy({ space: job.parameters, goal: 'maximize', seed: 1 });
  const executor = new FakeExecutor();
  return { job, strategy, executor };
}

async function startRecorded(store: JobStore, overrides = {}) {
  const { job, strategy, executor } = jobWithRunner(store, overrides);
  const stored = await store.createJob(job, { name: 'test job' });
  let runner!: JobRunner;
  const errors: string[] = [];
  const recorder = store.recorder(stored, { runtimeMs: () => runner.runtimeMs, onError: (m) => errors.push(m) });
  runner = new JobRunner(job, strategy, executor, { beforeTell: (trial) => recorder.commit(trial) });
  runner.subscribe((event) => recorder.onEvent(event));
  const done = runner.start();
  return { job, strategy, executor, runner, recorder, stored, done, errors };
}

afterEach(() => vi.restoreAllMocks());

describe('JobStore', () => {
  it('takes a job in as events and gives it back: definition, trials, metrics per epoch, logs, status', async () => {
    const store = new JobStore(new IDBFactory());
    const { executor, runner, done, stored, job } = await startRecorded(store);
    for (let i = 0; i < 3; i++) {
      await settle();
      const id = runner.trials[i].id;
      executor.log(id, 'Hyperparameters {"recipe":1,"model":"tiny-cnn"}');
      executor.log(id, `Epoch 1, Train loss=2.0000, Validation accuracy=0.${i + 1}000, Images/s=100.0`);
      executor.log(id, `Epoch 2, Train loss=1.0000, Validation accuracy=0.${i + 4}000, Images/s=100.0`);
      executor.finish(id);
    }
    await done;
    await settle();
    const loaded = (await store.loadJob(stored.id))!;
    expect(loaded.job).toMatchObject({ name: 'test job', status: 'completed', definition: job, bestObjective: 0.6, trialCount: 3 });
    expect(loaded.job.runtimeMs).toBe(runner.runtimeMs);
    expect(loaded.trials.map((t) => [t.number, t.status, t.objective])).toEqual([
      [1, 'completed', 0.4],
      [2, 'completed', 0.5],
      [3, 'completed', 0.6],
    ]);
    const [first] = loaded.trials;
    expect(first.params).toEqual(runner.trials[0].params);
    expect(first.resolved).toEqual({ model: 'tiny-cnn' });
    expect(first.epochs.map((e) => e.valAccuracy)).toEqual([0.1, 0.4]);
    expect(first.metrics['Validation-accuracy']).toEqual([0.1, 0.4]);
    expect(first.logs).toHaveLength(3);
    expect(first.startedAt).toBeTypeOf('number');
    expect(first.endedAt).toBeTypeOf('number');
    expect(await store.listJobs()).toEqual([loaded.job]);
  });

  it('keeps finished trials across a crash: a new store on the same database finds them, the running one still running', async () => {
    const factory = new IDBFactory();
    let store: JobStore | undefined = new JobStore(factory);
    const { executor, runner, stored } = await startRecorded(store);
    await flush();
    executor.log(runner.trials[0].id, 'Epoch 1, Validation accuracy=0.5');
    executor.finish(runner.trials[0].id);
    await settle();
    executor.log(runner.trials[1].id, 'Epoch 1, Validation accuracy=0.2');
    await settle();
    // The tab dies: the store is dropped without being closed.
    store = undefined;
    const reopened = new JobStore(factory);
    const loaded = (await reopened.loadJob(stored.id))!;
    expect(loaded.job.status).toBe('running');
    expect(loaded.trials.map((t) => [t.number, t.status])).toEqual([
      [1, 'completed'],
      [2, 'running'],
    ]);
    expect(loaded.trials[0].objective).toBe(0.5);
    // Before a resume the unfinished trial goes: the runner runs it again as a new trial.
    await reopened.dropUnfinished(stored.id);
    expect((await reopened.loadJob(stored.id))!.trials.map((t) => t.number)).toEqual([1]);
  });

  it('says that storage is full once, stops writing, and the job goes on in memory', async () => {
    const store = new JobStore(new IDBFactory());
    const { executor, runner, done, errors, recorder, stored } = await startRecorded(store);
    await flush();
    executor.log(runner.trials[0].id, 'Epoch 1, Validation accuracy=0.5');
    executor.finish(runner.trials[0].id);
    await settle();
    const put = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    });
    for (let i = 1; i < 3; i++) {
      await settle();
      executor.log(runner.trials[i].id, 'Epoch 1, Validation accuracy=0.6');
      executor.finish(runner.trials[i].id);
    }
    await done;
    await settle();
    expect(runner.status).toBe('completed');
    expect(runner.trials.map((t) => t.status)).toEqual(['completed', 'completed', 'completed']);
    expect(errors).toEqual([STORAGE_FULL_MESSAGE]);
    expect(recorder.error).toBe(STORAGE_FULL_MESSAGE);
    const calls = put.mock.calls.length;
    put.mockRestore();
    expect(calls).toBe(1);
    // What was committed before stays.
    const loaded = (await store.loadJob(stored.id))!;
    expect(loaded.trials.filter((t) => t.status === 'completed').map((t) => t.number)).toEqual([1]);
    expect([...recorder.saved]).toEqual([1]);
  });

  it(`caps a trial's log at ${LOG_LINE_CAP} lines: the first ones with the Hyperparameters line, a marker, the last ones`, () => {
    const lines = ['Hyperparameters {"recipe":1}', ...Array.from({ length: 4999 }, (_, i) => `line ${i + 1}`)];
    const { logs, dropped } = capLog(lines);
    expect(dropped).toBe(3000);
    expect(logs).toHaveLength(LOG_LINE_CAP + 1);
    expect(logs[0]).toBe('Hyperparameters {"recipe":1}');
    expect(logs[LOG_HEAD_LINES - 1]).toBe(`line ${LOG_HEAD_LINES - 1}`);
    expect(logs[LOG_HEAD_LINES]).toMatch(/3000 lines were dropped here/);
    expect(logs.at(-1)).toBe('line 4999');
    expect(capLog(lines.slice(0, 10))).toEqual({ logs: lines.slice(0, 10), dropped: 0 });
  });

  it('stores a capped log with the number of lines dropped', async () => {
    const store = new JobStore(new IDBFactory());
    const { executor, runner, stored, done } = await startRecorded(store, { maxJobs: 1 });
    await flush();
    const id = runner.trials[0].id;
    for (let i = 0; i < 2500; i++) executor.log(id, `Step ${i}`);
    executor.log(id, 'Epoch 1, Validation accuracy=0.5');
    executor.finish(id);
    await done;
    await settle();
    const [trial] = (await store.loadJob(stored.id))!.trials;
    expect(trial.logs).toHaveLength(LOG_LINE_CAP + 1);
    expect(trial.logsDropped).toBe(501);
    expect(trial.logs.at(-1)).toBe('Epoch 1, Validation accuracy=0.5');
  });

  it('writes a running trial at most once per interval, however many log lines arrive, and at each status change', async () => {
    const timer = new FakeTimer();
    const store = new JobStore(new IDBFactory(), { timer, writeIntervalMs: 1000 });
    const { executor, runner, recorder, stored } = await startRecorded(store, { maxJobs: 1 });
    await flush();
    await settle();
    const id = runner.trials[0].id;
    const before = recorder.writes;
    for (let second = 0; second < 3; second++) {
      for (let i = 0; i < 500; i++) executor.log(id, `Step ${second * 500 + i}`);
      timer.advance(1000);
      await settle();
    }
    expect(recorder.writes - before).toBe(3);
    const loaded = (await store.loadJob(stored.id))!;
    expect(loaded.trials[0].logs.at(-1)).toBe('Step 1499');
    executor.log(id, 'Epoch 1, Validation accuracy=0.5');
    executor.finish(id);
    await settle();
    // The completion is written at once, without waiting for the clock.
    expect((await store.loadJob(stored.id))!.trials[0].status).toBe('completed');
  });

  it('commits a finished trial before the tuner is told of it', async () => {
    const factory = new IDBFactory();
    const order: string[] = [];
    class LoggingStore extends JobStore {
      override async write(records: { store: string; value: unknown }[]): Promise<void> {
        await super.write(records);
        for (const r of records) if (r.store === 'trials') order.push(`written ${(r.value as Trial).number} ${(r.value as Trial).status}`);
      }
    }
    const store = new LoggingStore(factory);
    const { strategy, executor, runner, done } = await startRecorded(store, { maxJobs: 2 });
    const tell = strategy.tell.bind(strategy);
    strategy.tell = (id, outcome) => {
      order.push(`told ${runner.trials.find((t) => t.id === id)!.number}`);
      tell(id, outcome);
    };
    for (let i = 0; i < 2; i++) {
      await settle();
      executor.log(runner.trials[i].id, 'Epoch 1, Validation accuracy=0.5');
      executor.finish(runner.trials[i].id);
    }
    await done;
    const told = (n: number) => order.indexOf(`told ${n}`);
    expect(told(1)).toBeGreaterThan(order.indexOf('written 1 completed'));
    expect(told(2)).toBeGreaterThan(order.indexOf('written 2 completed'));
    expect(order.indexOf('written 1 completed')).toBeGreaterThanOrEqual(0);
  });

  it('renames and deletes jobs, trials included', async () => {
    const store = new JobStore(new IDBFactory());
    const { done, executor, runner, stored } = await startRecorded(store, { maxJobs: 1 });
    await flush();
    executor.completeAll();
    await done;
    await settle();
    const other = await store.createJob(defaultJob(), { name: 'other' });
    await store.renameJob(stored.id, 'renamed');
    expect((await store.loadJob(stored.id))!.job.name).toBe('renamed');
    await store.deleteJob(stored.id);
    expect(await store.loadJob(stored.id)).toBeUndefined();
    expect((await store.listJobs()).map((j) => j.id)).toEqual([other.id]);
    expect((await store.loadJob(other.id))!.trials).toEqual([]);
  });

  it('names a job after its model, data and date', async () => {
    const store = new JobStore(new IDBFactory(), { now: () => new Date(2025, 2, 4, 14, 5).getTime() });
    expect((await store.createJob(defaultJob())).name).toBe('tiny-cnn on synthetic, 2025-03-04 14:05');
  });
});
