import type { JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { KvWatchEntry } from '@nats-io/kv';
import type { StopMode, TrialBus, TrialRunResult } from '../job/types';
import { parseEngineLine } from '../metrics';
import { trialRefusal } from './check-trial';
import { encode, readJson, readTrialMessage, type DatasetRef, type JobRecord, type TrialEventBody, type TrialMessage, type WorkerRecord } from './messages';
import { LIVE_TTL_MS, messageId } from './names';
import { bindJob, type JobPlace } from './setup';
import { readJobRecord } from './job-record';

/** What trains on this machine: the in-page pool of one Web Worker, or the engine in a Node process. */
export interface LocalTrainer {
  /** The backend and adapter trials would train on. */
  describe(): Promise<{ backend: string; adapter: string }>;
  /** Null when this machine holds the data set; otherwise why not ("no CIFAR-10 in this browser's cache"). */
  missingData(ref: DatasetRef): Promise<string | null>;
  run: TrialBus['run'];
  stop: TrialBus['stop'];
}

export interface WorkerOptions {
  nc: NatsConnection;
  /** The job this worker joined: it takes no other job's trials. */
  job: string;
  name: string;
  trainer: LocalTrainer;
  /** How often a busy worker tells NATS it still works on its trial (well within the ack wait). */
  heartbeatMs?: number;
  liveTtlMs?: number;
  /** How long a trial this worker cannot train waits before NATS offers it again. */
  declineDelayMs?: number;
  now?: () => number;
  /** What the worker does, line by line, for its console or page. */
  log?: (line: string) => void;
  /** Its record changed (for the page that shows it). */
  onRecord?: (record: WorkerRecord) => void;
  signal?: AbortSignal;
}

export interface WorkerSummary {
  trialsDone: number;
  /** Why the worker stopped serving the job. */
  reason: string;
  /** The job itself is over (ended, or gone from the server): joining it again would serve nothing. */
  jobOver: boolean;
}

/** How long a pull waits for a trial before the worker looks at the job's record again. */
const PULL_EXPIRES_MS = 2_000;

/**
 * Serves one job until it ends (or `signal` aborts): pulls one trial spec at a time from the job's
 * work queue, checks it (`trialRefusal`), trains it with the local trainer while heartbeating the
 * ack-wait lease, publishes its events with message ids, and acks it only once its result is
 * stored. A spec it refuses is terminated with the reason; a trial it cannot train here (no such
 * data) or lost to a crash is handed back with a delay for another worker.
 */
export async function serveJob(options: WorkerOptions): Promise<WorkerSummary> {
  const worker = new JobWorker(options, await bindJob(options.nc, options.job));
  return worker.serve();
}

class JobWorker {
  private trialsDone = 0;
  private imagesPerSecond?: number;
  private state = 'starting';
  private describeInfo = { backend: 'unknown', adapter: 'unknown' };
  private current?: { number: number; trialId: string };
  private readonly stops = new Map<number, StopMode>();

  constructor(
    private readonly options: WorkerOptions,
    private readonly place: JobPlace,
  ) {}

  private get now(): number {
    return (this.options.now ?? Date.now)();
  }

  private say(line: string): void {
    this.options.log?.(line);
  }

  async serve(): Promise<WorkerSummary> {
    const { signal } = this.options;
    this.describeInfo = await this.options.trainer.describe();
    const presence = setInterval(() => void this.putRecord(), Math.max(50, Math.floor((this.options.liveTtlMs ?? LIVE_TTL_MS) / 3)));
    const watcher = await this.place.jobs.watch({ key: this.place.names.stopKeys });
    void this.followStops(watcher);
    // Leaving stops the trial in hand at its next step; it is handed back below for another worker.
    signal?.addEventListener('abort', () => {
      if (this.current) this.options.trainer.stop(this.current.trialId, 'soft');
    });
    // Cut off from the server for good, a trial's result would reach nobody, and NATS gives the trial to another worker.
    void this.options.nc.closed().then(() => {
      if (this.current) this.options.trainer.stop(this.current.trialId, 'hard');
    });
    try {
      await this.putRecord();
      const consumer = await this.place.js.consumers.get(this.place.names.trialStream, this.place.names.consumer);
      for (;;) {
        if (signal?.aborted) return this.summary('stopped by its owner');
        const record = await this.readRecord();
        if (!record) return this.summary(`job ${this.place.job} is gone from the server`, true);
        if (record.status === 'ended') return this.summary(`job ${this.place.job} has ended`, true);
        const missing = await this.options.trainer.missingData(record.dataset);
        if (missing) {
          // Pulling would only hand trials back and spend their deliveries: wait until the data is here.
          await this.setState(`waiting: ${missing}`);
          await sleep(PULL_EXPIRES_MS, signal);
          continue;
        }
        if (this.state !== 'idle') await this.setState('idle');
        const message = await consumer.next({ expires: PULL_EXPIRES_MS }).catch(() => null);
        if (message && signal?.aborted) {
          // Taken just as the owner stopped this worker: give it straight back to the others.
          message.nak();
          return this.summary('stopped by its owner');
        }
        if (message) await this.handle(message, record);
      }
    } finally {
      clearInterval(presence);
      watcher.stop();
      await this.place.live.delete(this.place.names.workerKey(this.options.name)).catch(() => undefined);
    }
  }

  private summary(reason: string, jobOver = false): WorkerSummary {
    this.say(`Leaving: ${reason}; ${this.trialsDone} trial${this.trialsDone === 1 ? '' : 's'} done.`);
    return { trialsDone: this.trialsDone, reason, jobOver };
  }

  private readRecord(): Promise<JobRecord | undefined> {
    return readJobRecord(this.place);
  }

  private async followStops(watcher: AsyncIterable<KvWatchEntry>): Promise<void> {
    for await (const entry of watcher) {
      if (entry.operation !== 'PUT') continue;
      const number = Number(entry.key.split('.').pop());
      const mode: StopMode = entry.string() === 'hard' ? 'hard' : 'soft';
      this.stops.set(number, mode);
      if (this.current?.number === number) this.options.trainer.stop(this.current.trialId, mode);
    }
  }

  private async handle(message: JsMsg, record: JobRecord): Promise<void> {
    const attempt = message.info.deliveryCount;
    const read = readTrialMessage(message.data);
    if ('error' in read) {
      this.say(`Refused a message on the trial queue: ${read.error}`);
      message.term();
      return;
    }
    const trial = read.trial;
    const events = new EventPublisher(this.place, trial.number, attempt, () => this.now);
    const refusal = trialRefusal(this.place.job, record, trial);
    if (refusal) {
      this.say(`Refused trial ${trial.number}: ${refusal}`);
      await events.send({ kind: 'result', worker: this.options.name, result: { status: 'failed', reason: `Refused by ${this.options.name}: ${refusal}` } });
      await events.flushed();
      // No reason on the wire: nats-server 2.9 takes "+TERM <reason>" for an unknown ack and redelivers. The event above says why.
      message.term();
      return;
    }
    const missing = await this.options.trainer.missingData(trial.dataset);
    if (missing) {
      await events.send({ kind: 'declined', worker: this.options.name, reason: missing });
      await events.flushed();
      message.nak(this.options.declineDelayMs ?? 30_000);
      return;
    }
    if (this.stops.has(trial.number)) {
      await events.send({ kind: 'result', worker: this.options.name, result: { status: 'stopped' } });
      await events.flushed();
      await message.ackAck().catch(() => false);
      return;
    }
    await this.train(message, trial, events);
  }

  private async train(message: JsMsg, trial: TrialMessage, events: EventPublisher): Promise<void> {
    const trialId = `${this.place.job}-${trial.number}`;
    this.current = { number: trial.number, trialId };
    await this.setState(`training trial ${trial.number}`);
    this.say(`Training trial ${trial.number} (delivery ${events.attempt}).`);
    const heartbeat = setInterval(() => message.working(), this.options.heartbeatMs ?? 5_000);
    let result: TrialRunResult;
    try {
      await events.send({ kind: 'start', worker: this.options.name, ...this.describeInfo });
      result = await this.options.trainer.run(
        { trialId, number: trial.number, hyperparameters: trial.hyperparameters, seed: trial.seed },
        {
          onStart: () => undefined,
          onLog: (line) => {
            const parsed = parseEngineLine(line);
            if (parsed?.kind === 'epoch' && parsed.imagesPerSecond !== undefined) this.imagesPerSecond = parsed.imagesPerSecond;
            void events.send({ kind: 'log', line });
          },
          onProgress: (progress) => void events.send({ kind: 'progress', progress }),
        },
      );
    } catch (error) {
      result = { status: 'failed', reason: (error as Error).message, retryable: true };
    } finally {
      clearInterval(heartbeat);
      this.current = undefined;
    }
    if (result.status === 'stopped' && this.options.signal?.aborted && !this.stops.has(trial.number)) {
      // Nobody asked this trial to stop: its worker is leaving. Another worker runs it from the start.
      await events.send({ kind: 'declined', worker: this.options.name, reason: `${this.options.name} left the job` });
      await events.flushed();
      message.nak();
      this.say(`Handed trial ${trial.number} back: leaving.`);
      return;
    }
    if (result.status === 'failed' && result.retryable) {
      // Not the trial's fault (the local worker crashed or lost its GPU): another delivery may succeed.
      await events.send({ kind: 'declined', worker: this.options.name, reason: result.reason });
      await events.flushed();
      message.nak();
      this.say(`Handed trial ${trial.number} back: ${result.reason}`);
      return;
    }
    const outcome = result.status === 'failed' ? { status: 'failed' as const, reason: result.reason } : { status: result.status };
    await events.send({ kind: 'result', worker: this.options.name, result: outcome });
    // The result is stored before the ack: a worker dying in between leaves a redelivery, never a lost result.
    await events.flushed();
    await message.ackAck().catch(() => false);
    this.trialsDone++;
    this.say(`Trial ${trial.number} ${outcome.status}.`);
    await this.setState('idle');
  }

  private async setState(state: string): Promise<void> {
    if (state === this.state) return;
    this.state = state;
    if (state.startsWith('waiting')) this.say(`Waiting: ${state.slice('waiting: '.length)}`);
    await this.putRecord();
  }

  private async putRecord(): Promise<void> {
    const record: WorkerRecord = {
      v: 1,
      name: this.options.name,
      ...this.describeInfo,
      trialsDone: this.trialsDone,
      ...(this.imagesPerSecond !== undefined ? { imagesPerSecond: this.imagesPerSecond } : {}),
      state: this.state,
      updatedAt: this.now,
    };
    this.options.onRecord?.(record);
    await this.place.live.put(this.place.names.workerKey(this.options.name), JSON.stringify(record)).catch(() => undefined);
  }
}

/**
 * A trial's events in order, each with its message id: publishes are chained so the stream keeps
 * the order the trainer wrote them in, and a publish NATS did not confirm is tried again under the
 * same id (stored once).
 */
class EventPublisher {
  private seq = 0;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly place: JobPlace,
    private readonly number: number,
    readonly attempt: number,
    private readonly now: () => number,
  ) {}

  send(body: TrialEventBody): Promise<void> {
    const seq = this.seq++;
    const { js, names, job } = this.place;
    const event = { ...body, v: 1, job, number: this.number, attempt: this.attempt, seq, at: this.now() };
    const publish = () => js.publish(names.eventSubject(this.number), encode(event), { msgID: messageId(job, this.number, this.attempt, seq) });
    this.chain = this.chain.then(async () => {
      try {
        await publish();
      } catch {
        await publish().catch(() => undefined);
      }
    });
    return this.chain;
  }

  flushed(): Promise<void> {
    return this.chain;
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
