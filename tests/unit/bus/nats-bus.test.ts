import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultJob, type JobDefinition } from '../../../src/lib/config';
import { NatsTrialBus, type NatsBusOptions } from '../../../src/lib/bus/nats-bus';
import { LeaseHeldError } from '../../../src/lib/bus/lease';
import { encode, readExtraMark, readJson } from '../../../src/lib/bus/messages';
import { jobNames } from '../../../src/lib/bus/names';
import { trialsFromHistory } from '../../../src/lib/bus/rebuild';
import { serveJob, type WorkerSummary } from '../../../src/lib/bus/worker';
import { JobRunner, trialCounts } from '../../../src/lib/job';
import { RandomStrategy } from '../../../src/lib/tuner/random';
import { FakeTrainer, until } from './fake-trainer';
import { startNats, type NatsServer } from './nats-server';

/*
 * The NATS trial bus against a real nats-server (JetStream, on free loopback ports): a coordinator
 * (NatsTrialBus under a JobRunner) and workers (serveJob with a fake local trainer) on their own
 * connections, as on separate machines.
 */

let server: NatsServer;
const connections: NatsConnection[] = [];
let jobCount = 0;

beforeAll(async () => {
  server = await startNats();
});
afterEach(async () => {
  await Promise.all(connections.splice(0).map((nc) => nc.close().catch(() => undefined)));
});
afterAll(async () => {
  await server.stop();
});

async function client(): Promise<NatsConnection> {
  const nc = await connect({ servers: server.url });
  connections.push(nc);
  return nc;
}

function quickJob(overrides: Partial<JobDefinition> = {}): JobDefinition {
  return { ...defaultJob(), maxJobs: 4, maxParallelJobs: 2, ...overrides };
}

async function coordinator(job: JobDefinition, options: Partial<NatsBusOptions> = {}) {
  const id = options.job ?? `job${++jobCount}`;
  const nc = options.nc ?? (await client());
  const notices: string[] = [];
  const bus = await NatsTrialBus.open({ nc, job: id, definition: job, dataset: { name: 'synthetic' }, owner: 'test coordinator', ackWaitMs: 1_000, liveTtlMs: 900, onNotice: (t) => notices.push(t), ...options });
  const runner = new JobRunner(job, new RandomStrategy({ space: job.parameters, goal: 'maximize', seed: 3 }), bus);
  return { id, nc, bus, runner, notices };
}

function worker(job: string, name: string, trainer: FakeTrainer, nc: NatsConnection, signal?: AbortSignal): Promise<WorkerSummary> {
  return serveJob({ nc, job, name, trainer, heartbeatMs: 200, liveTtlMs: 900, declineDelayMs: 200, signal, log: process.env.DBG ? (l) => console.log(name, l) : undefined });
}

/** Tab A coordinates `job` on a connection of its own, with one holding worker ("steady") serving it; closing `first` is A's machine dying. */
async function firstCoordinator(job: JobDefinition, id: string) {
  const first = await connect({ servers: server.url });
  const a = await coordinator(job, { nc: first, job: id, owner: 'tab A' });
  const trainer = new FakeTrainer({ hold: true });
  const serving = worker(id, 'steady', trainer, await client());
  void a.runner.start();
  await until(() => trainer.holding.length === 1, 'trial 1 on the worker');
  return { first, a, trainer, serving };
}

/** Tab B opens the job once A's lease has lapsed. */
async function nextCoordinator(job: JobDefinition, id: string, nc: NatsConnection) {
  let b: Awaited<ReturnType<typeof coordinator>> | undefined;
  await until(async () => {
    b = await coordinator(job, { nc, job: id, owner: 'tab B' }).catch(() => undefined);
    return b !== undefined;
  }, 'the lease to lapse');
  return b!;
}

async function events(nc: NatsConnection, job: string): Promise<Record<string, unknown>[]> {
  const names = jobNames(job);
  const jsm = await jetstreamManager(nc);
  const last = (await jsm.streams.info(names.eventStream)).state.last_seq;
  const found: Record<string, unknown>[] = [];
  for (let seq = 1; seq <= last; seq++) {
    const message = await jsm.streams.getMessage(names.eventStream, { seq }).catch(() => null);
    if (!message) continue;
    const read = readJson(message.data);
    if (!('error' in read)) found.push({ ...read.value, msgID: message.header?.get('Nats-Msg-Id') });
  }
  return found;
}

describe('NATS trial bus', () => {
  it('runs a job on two workers: every trial once, results read from their log lines, the queue empty at the end', async () => {
    const job = quickJob();
    const { id, bus, runner, nc } = await coordinator(job);
    const a = new FakeTrainer();
    const b = new FakeTrainer();
    const served = [worker(id, 'box-a', a, await client()), worker(id, 'box-b', b, await client())];
    await runner.start();
    expect(runner.status).toBe('completed');
    expect(runner.trials.map((t) => t.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    for (const trial of runner.trials) {
      expect(trial.objective).toBeCloseTo(Math.min(0.99, Number(trial.params.lr)), 4);
      expect(['box-a', 'box-b']).toContain(trial.worker);
    }
    expect(a.runs.length + b.runs.length).toBe(4);
    expect(new Set([...a.runs, ...b.runs].map((s) => s.number)).size).toBe(4);

    // Workers leave once the coordinator ends the job.
    await bus.close();
    const summaries = await Promise.all(served);
    expect(summaries.map((s) => s.reason)).toEqual([`job ${id} has ended`, `job ${id} has ended`]);
    expect(summaries.map((s) => s.jobOver)).toEqual([true, true]);
    expect(summaries[0].trialsDone + summaries[1].trialsDone).toBe(4);

    // Every message carries <job>-<trial>-<attempt>-<seq>.
    const stored = await events(nc, id);
    const results = stored.filter((e) => e.kind === 'result');
    expect(results).toHaveLength(4);
    for (const event of stored) expect(event.msgID).toBe(`${id}-${event.number}-${event.attempt}-${event.seq}`);
    const info = await (await jetstreamManager(nc)).streams.info(jobNames(id).trialStream);
    expect(info.state.messages).toBe(0);
  });

  it('a retried publish with the same message id is stored once', async () => {
    const nc = await client();
    const { id, bus } = await coordinator(quickJob(), { nc });
    const js = jetstream(nc);
    const names = jobNames(id);
    const body = encode({ v: 1, job: id, number: 99, attempt: 1, seq: 0, kind: 'log', line: 'x', at: 0 });
    const first = await js.publish(names.eventSubject(99), body, { msgID: `${id}-99-1-0` });
    const again = await js.publish(names.eventSubject(99), body, { msgID: `${id}-99-1-0` });
    expect(again.duplicate).toBe(true);
    expect(again.seq).toBe(first.seq);
    await bus.close();
  });

  it('a trial whose worker dies unacked is redelivered after the ack wait and finishes on another worker, as attempt 2', async () => {
    const job = quickJob({ maxJobs: 1, maxParallelJobs: 1, retries: 1 });
    const { id, runner, bus } = await coordinator(job);
    const doomed = new FakeTrainer({ hold: true });
    const doomedConnection = await connect({ servers: server.url });
    const dying = worker(id, 'doomed', doomed, doomedConnection).catch((error: Error) => error);
    const done = runner.start();
    await until(() => doomed.holding.length === 1, 'the first worker to take the trial');
    // The machine goes away: no ack, no more heartbeats.
    await doomedConnection.close();
    const rescuer = new FakeTrainer();
    const rescuing = worker(id, 'rescuer', rescuer, await client());
    await done;
    const [trial] = runner.trials;
    expect(trial.status).toBe('completed');
    expect(trial.attempt).toBe(2);
    expect(trial.worker).toBe('rescuer');
    expect(trial.failedAttempts?.[0].reason).toMatch(/Attempt 1 ended: its worker doomed went silent\. NATS redelivered the trial\./);
    expect(rescuer.runs.map((s) => s.seed)).toEqual([trial.seed]);
    // The worker whose connection closed stopped its own trial: nobody would hear its result.
    expect(doomed.stops).toEqual([[doomed.runs[0].trialId, 'hard']]);
    expect(await dying).toBeInstanceOf(Error);
    await bus.close();
    await rescuing;
  });

  it('refuses a spec outside the job (term, not redelivery) and says why', async () => {
    const nc = await client();
    const job = quickJob({ maxJobs: 1, maxParallelJobs: 1 });
    const { id, bus } = await coordinator(job, { nc });
    const names = jobNames(id);
    const trainer = new FakeTrainer();
    const serving = worker(id, 'careful', trainer, await client());
    const js = jetstream(nc);
    const bad = { v: 1, job: id, number: 42, seed: 1, dataset: { name: 'synthetic' }, hyperparameters: { ...job.fixed, lr: 5, momentum: 0.9, optimizer: 'sgd' } };
    await js.publish(names.trialSubject, encode(bad));
    const foreign = { ...bad, number: 43, job: 'someone-else', hyperparameters: { ...bad.hyperparameters, lr: 0.01 } };
    await js.publish(names.trialSubject, encode(foreign));
    await until(async () => (await events(nc, id)).filter((e) => e.kind === 'result').length === 2, 'two refusals');
    const refusals = (await events(nc, id)).filter((e) => e.kind === 'result').map((e) => (e.result as { reason: string }).reason);
    expect(refusals[0]).toMatch(/^Refused by careful: The trial's hyperparameters are outside job .*lr/);
    expect(refusals[1]).toMatch(/^Refused by careful: This worker serves job .*; the trial belongs to job someone-else\./);
    expect(trainer.runs).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const consumer = await (await jetstreamManager(nc)).consumers.info(names.trialStream, names.consumer);
    expect(consumer.num_redelivered).toBe(0);
    expect(consumer.num_ack_pending).toBe(0);
    await bus.close();
    await serving;
  });

  it('a worker without the data set does not train; it shows why, and a worker with it takes the trials', async () => {
    const job = quickJob({ maxJobs: 2, maxParallelJobs: 2 });
    const { id, runner, bus } = await coordinator(job);
    const without = new FakeTrainer({ missing: "no CIFAR-10 in this browser's cache" });
    const serving = [worker(id, 'no-data', without, await client())];
    await until(async () => (await bus.workers()).some((w) => w.name === 'no-data'), 'the worker record');
    const [record] = await bus.workers();
    expect(record).toMatchObject({ name: 'no-data', adapter: 'Test adapter', trialsDone: 0, state: "waiting: no CIFAR-10 in this browser's cache" });
    const done = runner.start();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(runner.trials.every((t) => t.status === 'pending')).toBe(true);
    const able = new FakeTrainer({ hold: true });
    serving.push(worker(id, 'has-data', able, await client()));
    await until(() => able.holding.length === 1, 'the first trial on the worker with data');
    able.release(able.holding[0]);
    await until(() => able.holding.length === 1 && able.runs.length === 2, 'the second trial on it');
    await until(async () => (await bus.workers()).find((w) => w.name === 'has-data')?.trialsDone === 1, 'a trial done in its record');
    expect((await bus.workers()).find((w) => w.name === 'has-data')).toMatchObject({ imagesPerSecond: 123, state: 'training trial 2' });
    able.release(able.holding[0]);
    await done;
    expect(without.runs).toHaveLength(0);
    // The job has ended: its workers leave and take their records with them.
    await Promise.all(serving);
    expect(await bus.workers()).toEqual([]);

  });

  it('stops a queued trial no worker took, and a running one through the worker', async () => {
    const job = quickJob({ maxJobs: 2, maxParallelJobs: 2 });
    const { id, runner, bus } = await coordinator(job);
    const trainer = new FakeTrainer({ hold: true });
    const done = runner.start();
    await until(() => runner.trials.length === 2, 'two trials queued');
    // Only one worker, holding one trial: the other stays on the queue.
    const serving = worker(id, 'single', trainer, await client());
    await until(() => trainer.holding.length === 1 && runner.trials.some((t) => t.status === 'running'), 'one trial running');
    runner.stop('soft');
    await done;
    expect(runner.status).toBe('stopped');
    expect(runner.trials.map((t) => t.status)).toEqual(['stopped', 'stopped']);
    expect(trainer.stops).toEqual([[trainer.runs[0].trialId, 'soft']]);
    expect(trainer.runs).toHaveLength(1);
    await bus.close();
    await serving;
  });

  it('fails a trial that used up its deliveries, with the last reason', async () => {
    const job = quickJob({ maxJobs: 1, maxParallelJobs: 1, retries: 1 });
    const { id, runner, bus } = await coordinator(job);
    const crashing = new FakeTrainer({ fail: { status: 'failed', reason: 'The GPU device was lost.', retryable: true } });
    const serving = worker(id, 'flaky', crashing, await client());
    await runner.start();
    const [trial] = runner.trials;
    expect(crashing.runs).toHaveLength(2);
    expect(trial.status).toBe('failed');
    expect(trial.reason).toBe('No worker finished trial 1 in 2 deliveries (last: The GPU device was lost.).');
    await bus.close();
    await serving;
  });

  it('another coordinator takes a job over once the lease lapses, adopting the trial on a worker: nothing runs twice', async () => {
    const job = quickJob({ maxJobs: 3, maxParallelJobs: 1 });
    const id = `takeover${++jobCount}`;
    const { first, trainer, serving } = await firstCoordinator(job, id);
    trainer.release(trainer.holding[0]);
    await until(() => trainer.holding.length === 1 && trainer.runs.length === 2, 'trial 2 on the worker');

    // Tab A's machine dies: no release of the lease.
    await first.close();
    const nc = await client();
    await expect(coordinator(job, { nc, job: id, owner: 'tab B' })).rejects.toBeInstanceOf(LeaseHeldError);
    const b = await nextCoordinator(job, id, nc);
    const earlier = trialsFromHistory(job, b.bus.history.values(), Date.now());
    expect(earlier.map((t) => [t.number, t.status])).toEqual([
      [1, 'completed'],
      [2, 'running'],
    ]);
    expect(earlier[0].objective).toBeCloseTo(Math.min(0.99, Number(earlier[0].params.lr)), 4);
    const runner = new JobRunner(job, new RandomStrategy({ space: job.parameters, goal: 'maximize', seed: 4 }), b.bus, { resume: { trials: earlier, adopt: true } });
    const done = runner.start();
    await until(() => runner.trials.find((t) => t.number === 2)?.status === 'running', 'trial 2 adopted as running');
    expect(runner.trials.find((t) => t.number === 2)!.logs).toHaveLength(1);
    trainer.release(trainer.holding[0]);
    await until(() => trainer.holding.length === 1, 'trial 3 on the worker');
    trainer.release(trainer.holding[0]);
    await done;
    expect(runner.status).toBe('completed');
    expect(runner.trials.map((t) => [t.number, t.status])).toEqual([
      [1, 'completed'],
      [2, 'completed'],
      [3, 'completed'],
    ]);
    expect(trainer.runs.map((s) => s.number)).toEqual([1, 2, 3]);
    expect(runner.message).toBe('Resumed: the tuner was told 1 finished trial; 1 trial still on the bus carries on.');
    await b.bus.close();
    await serving;
  });
});

describe('re-runs and added trials on the bus', () => {
  it('keep their mark for a coordinator that takes the job over, so they still count apart from max jobs', async () => {
    const job = quickJob({ maxJobs: 1, maxParallelJobs: 1 });
    const id = `marks${++jobCount}`;
    const { first, a, trainer, serving } = await firstCoordinator(job, id);
    const original = a.runner.trials[0];
    await a.runner.enqueue({ ...original.params }, { rerunOf: 1 });
    await a.runner.enqueue({ ...original.params, lr: 0.05 });
    trainer.release(trainer.holding[0]);
    await until(() => trainer.runs.length === 2 && trainer.holding.length === 1, 'the re-run on the worker');
    trainer.release(trainer.holding[0]);
    await until(() => trainer.runs.length === 3, 'the added trial on the worker');

    await first.close();
    const b = await nextCoordinator(job, id, await client());
    const earlier = trialsFromHistory(job, b.bus.history.values(), Date.now());
    expect(earlier.map((t) => [t.number, t.rerunOf, t.added])).toEqual([
      [1, undefined, undefined],
      [2, 1, undefined],
      [3, undefined, true],
    ]);
    expect(trialCounts(earlier)).toMatchObject({ reruns: 1, added: 1 });
    for (const held of trainer.holding) trainer.release(held);
    await b.bus.close();
    await serving;
  });

  it('reads a malformed mark as none', () => {
    expect(readExtraMark({ rerunOf: 2 })).toEqual({ rerunOf: 2 });
    expect(readExtraMark({ added: true })).toEqual({ added: true });
    for (const bad of [undefined, null, 'x', { rerunOf: 0 }, { rerunOf: 1.5 }, { added: 'yes' }, {}]) expect(readExtraMark(bad)).toBeUndefined();
  });
});

describe('a worker that leaves', () => {
  it('stops its trial and hands it back: another worker runs it as the next attempt', async () => {
    const job = quickJob({ maxJobs: 1, maxParallelJobs: 1, retries: 1 });
    const { id, runner, bus } = await coordinator(job);
    const leaving = new FakeTrainer({ hold: true });
    const controller = new AbortController();
    const left = worker(id, 'leaver', leaving, await client(), controller.signal);
    const done = runner.start();
    await until(() => leaving.holding.length === 1, 'the trial on the leaving worker');
    controller.abort();
    expect((await left).reason).toBe('stopped by its owner');
    expect(leaving.stops).toEqual([[leaving.runs[0].trialId, 'soft']]);
    const staying = new FakeTrainer();
    const serving = worker(id, 'stayer', staying, await client());
    await done;
    const [trial] = runner.trials;
    expect(trial).toMatchObject({ status: 'completed', attempt: 2, worker: 'stayer' });
    expect(trial.failedAttempts?.[0].reason).toBe('Attempt 1 ended: leaver left the job. NATS redelivered the trial.');
    await bus.close();
    await serving;
  });
});

describe('a coordinator that dies between announcing a trial and queueing it', () => {
  it('leaves a trial its successor knows of and queues again: trained once, under its own values', async () => {
    const job = quickJob({ maxJobs: 1, maxParallelJobs: 1 });
    const id = `halfway${++jobCount}`;
    const first = await connect({ servers: server.url });
    await coordinator(job, { nc: first, job: id, owner: 'tab A' });
    // What tab A got out before it died: trial 1 announced on the events stream, never queued.
    const announced = { v: 1, job: id, number: 1, seed: 99, dataset: { name: 'synthetic' }, hyperparameters: { ...job.fixed, lr: 0.02, momentum: 0.9, optimizer: 'sgd' } };
    const event = { kind: 'queued', trial: announced, v: 1, job: id, number: 1, attempt: 0, seq: 1, at: 0 };
    await jetstream(first).publish(jobNames(id).eventSubject(1), encode(event), { msgID: `${id}-1-0-1` });
    await first.close();

    const b = await nextCoordinator(job, id, await client());
    const earlier = trialsFromHistory(job, b.bus.history.values(), Date.now());
    expect(earlier.map((t) => [t.number, t.status, t.seed])).toEqual([[1, 'pending', 99]]);
    const trainer = new FakeTrainer();
    const serving = worker(id, 'steady', trainer, await client());
    const runner = new JobRunner(job, new RandomStrategy({ space: job.parameters, goal: 'maximize', seed: 4 }), b.bus, { resume: { trials: earlier, adopt: true } });
    await runner.start();
    expect(runner.trials.map((t) => [t.number, t.status])).toEqual([[1, 'completed']]);
    expect(trainer.runs.map((s) => [s.number, s.seed, s.hyperparameters.lr])).toEqual([[1, 99, 0.02]]);
    await b.bus.close();
    await serving;
  });
});
