import { DeliverPolicy } from '@nats-io/jetstream';
import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import type { JobDefinition } from '../config';
import type { ExtraMark, StopMode, TrialBus, TrialHooks, TrialRunResult, TrialSpec } from '../job/types';
import { Lease } from './lease';
import { encode, readExtraMark, readJson, type DatasetRef, type JobRecord, type TrialEvent, type TrialEventBody, type TrialMessage, type TrialRunOutcome, type WorkerRecord } from './messages';
import { LIVE_TTL_MS, messageId } from './names';
import { prepareJob, type JobPlace } from './setup';
import { listWorkers } from './workers-list';

export interface NatsBusOptions {
  nc: NatsConnection;
  /** The job's id: its streams, subjects and keys are named after it. */
  job: string;
  definition: JobDefinition;
  dataset: DatasetRef;
  /** Who coordinates, as other tabs see it on the lease ("Firefox on laptop, 14:02"). */
  owner: string;
  ackWaitMs?: number;
  liveTtlMs?: number;
  now?: () => number;
  /** The lease was lost: another coordinator may run this job now, so this one must stop acting. */
  onLeaseLost?: (why: string) => void;
  /** Things the page should show: a worker declined a trial, a trial ran out of deliveries. */
  onNotice?: (text: string) => void;
  /** The bus owns the connection: closing the bus (the job's end) closes it too. */
  closeConnection?: boolean;
}

/** What the events stream says about one trial number: how a new coordinator sees a job it takes over. */
export interface TrialHistory {
  number: number;
  trial?: TrialMessage;
  /** Why it runs on top of max jobs, as its first coordinator said (`TrialSpec.extra`). */
  extra?: ExtraMark;
  /** The stream sequence of its spec on the work queue (to take it back, or to read an advisory). */
  specSeq?: number;
  /** The NATS delivery that last started it (0: none has). */
  attempt: number;
  worker?: string;
  backend?: string;
  /** The log lines of the current attempt. */
  lines: string[];
  result?: TrialRunOutcome;
  /** Why each attempt was handed back, by attempt. */
  declined: Map<number, string>;
}

interface Run {
  trialId: string;
  hooks: TrialHooks;
  resolve: (result: TrialRunResult) => void;
}

/** attempt 0 is the coordinator's own: the spec (seq 0), the queued event (1), its verdict (2). */
const COORDINATOR_ATTEMPT = 0;

/**
 * The runner's `TrialBus` over NATS JetStream: trial specs go to the job's work queue, which any
 * number of workers (browser tabs, Node processes) pull from; their events come back on the events
 * stream. Opening it takes the job's coordinator lease and replays the events stream, so a tab
 * taking over a job knows every trial (`history`) before the runner resumes: trials still on the
 * queue or on a worker are adopted (`run` with their number publishes nothing new), finished ones
 * are not run again.
 */
export class NatsTrialBus implements TrialBus {
  readonly history = new Map<number, TrialHistory>();
  private readonly runs = new Map<number, Run>();
  private readonly workerIds = new Map<string, number>();
  private readonly stopping = new Set<Promise<unknown>>();
  private subscription?: Subscription;
  private stopListening?: () => void;
  private disposed = false;
  private markClosed!: () => void;
  /** Resolves once the bus has closed (the job ended here). */
  readonly closed = new Promise<void>((resolve) => (this.markClosed = resolve));

  private constructor(
    private readonly place: JobPlace,
    private readonly options: NatsBusOptions,
    private readonly lease: Lease,
  ) {}

  static async open(options: NatsBusOptions): Promise<NatsTrialBus> {
    const settings = { ackWaitMs: options.ackWaitMs ?? 60_000, maxDeliver: (options.definition.retries ?? 0) + 1, liveTtlMs: options.liveTtlMs };
    const place = await prepareJob(options.nc, options.job, settings);
    const lease = await Lease.take(place.live, place.names.leaseKey, options.owner, options.liveTtlMs ?? LIVE_TTL_MS, (why) => options.onLeaseLost?.(why));
    const bus = new NatsTrialBus(place, options, lease);
    try {
      await bus.writeRecord('running');
      await bus.listen();
    } catch (error) {
      await lease.release();
      if (options.closeConnection) await options.nc.close().catch(() => undefined);
      throw error;
    }
    return bus;
  }

  private get now(): number {
    return (this.options.now ?? Date.now)();
  }

  private async writeRecord(status: JobRecord['status']): Promise<void> {
    const record: JobRecord = { v: 1, job: this.place.job, definition: this.options.definition, dataset: this.options.dataset, status, updatedAt: this.now };
    await this.place.jobs.put(this.place.names.jobKey, JSON.stringify(record));
  }

  /** Replays the events stream to its end (the history), then follows it; and hears of trials that ran out of deliveries. */
  private async listen(): Promise<void> {
    const { js, jsm, names } = this.place;
    const last = (await jsm.streams.info(names.eventStream)).state.last_seq;
    const consumer = await js.consumers.get(names.eventStream, { deliver_policy: DeliverPolicy.All });
    let caughtUp!: () => void;
    const replayed = new Promise<void>((resolve) => (caughtUp = resolve));
    if (last === 0) caughtUp();
    const messages = await consumer.consume({
      callback: (message) => {
        const read = readJson(message.data);
        if (!('error' in read)) this.take(read.value as unknown as TrialEvent);
        if (message.seq >= last) caughtUp();
      },
    });
    this.stopListening = () => void messages.stop();
    await replayed;
    this.subscription = this.options.nc.subscribe(names.maxDeliveriesAdvisory, {
      callback: (error, message) => {
        if (error) return;
        const read = readJson(message.data);
        if ('error' in read) return;
        const { stream_seq: seq, deliveries } = read.value as { stream_seq?: number; deliveries?: number };
        const history = [...this.history.values()].find((h) => h.specSeq === seq);
        if (history && !history.result) {
          const lastReason = history.declined.get(history.attempt);
          void this.verdict(history.number, {
            status: 'failed',
            reason: `No worker finished trial ${history.number} in ${deliveries ?? 'its'} deliveries${lastReason ? ` (last: ${lastReason})` : ''}.`,
          });
        }
      },
    });
  }

  private historyOf(number: number): TrialHistory {
    let history = this.history.get(number);
    if (!history) this.history.set(number, (history = { number, attempt: 0, lines: [], declined: new Map() }));
    return history;
  }

  /** One event from the stream, in stream order: updates the history and tells the trial's run, if any. */
  private take(event: TrialEvent): void {
    if (event?.v !== 1 || event.job !== this.place.job || !Number.isSafeInteger(event.number)) return;
    const history = this.historyOf(event.number);
    const run = this.runs.get(event.number);
    if (history.result) return;
    switch (event.kind) {
      case 'queued':
        history.trial = event.trial;
        history.extra = readExtraMark(event.extra);
        history.specSeq = event.specSeq ?? history.specSeq;
        return;
      case 'start': {
        if (event.attempt <= history.attempt) return;
        const previous = history.attempt;
        const reason = history.declined.get(previous) ?? `its worker ${history.worker ?? ''} went silent`.replace('  ', ' ');
        Object.assign(history, { attempt: event.attempt, worker: event.worker, backend: event.backend, lines: [] });
        if (previous > 0) run?.hooks.onRestart?.(`Attempt ${previous} ended: ${reason}. NATS redelivered the trial.`);
        run?.hooks.onStart({ backend: event.backend, workerId: this.workerId(event.worker), worker: event.worker });
        return;
      }
      case 'log':
        if (event.attempt !== history.attempt) return;
        history.lines.push(event.line);
        run?.hooks.onLog(event.line);
        return;
      case 'progress':
        if (event.attempt === history.attempt) run?.hooks.onProgress(event.progress);
        return;
      case 'declined':
        history.declined.set(event.attempt, event.reason);
        if (!this.disposed) this.options.onNotice?.(`${event.worker} handed trial ${event.number} back: ${event.reason}`);
        return;
      case 'result':
        // The first result of a trial counts; a late one from an attempt that was given up on is ignored.
        // A refusal comes with no start, so a later attempt's result counts too.
        if (event.attempt < history.attempt && event.attempt !== COORDINATOR_ATTEMPT) return;
        history.result = event.result;
        if (run) {
          this.runs.delete(event.number);
          run.resolve(event.result);
        }
    }
  }

  /** Remote workers get lane numbers in the order they are first seen, for the timeline. */
  private workerId(name: string): number {
    if (!this.workerIds.has(name)) this.workerIds.set(name, this.workerIds.size + 1);
    return this.workerIds.get(name)!;
  }

  run(spec: TrialSpec, hooks: TrialHooks): Promise<TrialRunResult> {
    const number = spec.number;
    if (number === undefined) return Promise.resolve({ status: 'failed', reason: 'A trial on a NATS bus needs its number.' });
    if (this.disposed) return Promise.resolve({ status: 'failed', reason: 'The NATS bus has been closed.' });
    const history = this.historyOf(number);
    const result = new Promise<TrialRunResult>((resolve) => this.runs.set(number, { trialId: spec.trialId, hooks, resolve }));
    const failed = (error: Error) => this.settle(number, { status: 'failed', reason: `Could not put the trial on the NATS server: ${error.message}`, retryable: true });
    if (history.trial) void this.adopt(history, hooks).catch(failed);
    else {
      const trial: TrialMessage = { v: 1, job: this.place.job, number, seed: spec.seed, hyperparameters: spec.hyperparameters, dataset: this.options.dataset };
      void this.publish(trial, history, spec.extra).catch(failed);
    }
    return result;
  }

  /**
   * A trial an earlier coordinator queued: the runner hears what it has done so far. One that no
   * worker has started is put on the queue again under the same message id, which the server
   * stores only if the earlier coordinator died between announcing it and queueing it.
   */
  private async adopt(history: TrialHistory, hooks: TrialHooks): Promise<void> {
    if (history.attempt > 0 && history.worker) {
      hooks.onStart({ backend: history.backend ?? 'unknown', workerId: this.workerId(history.worker), worker: history.worker });
      for (const line of history.lines) hooks.onLog(line);
    }
    if (history.result) this.settle(history.number, history.result);
    else if (history.attempt === 0 && history.trial) await this.queue(history.trial, history);
  }

  /**
   * Announces the trial on the events stream, then queues it: a coordinator that dies in between
   * leaves a trial its successor knows of and queues again (`adopt`), never one queued unseen,
   * whose number the successor would give to another trial.
   */
  private async publish(trial: TrialMessage, history: TrialHistory, extra: ExtraMark | undefined): Promise<void> {
    history.trial = trial;
    history.extra = extra;
    await this.event(trial.number, 1, { kind: 'queued', trial, ...(extra ? { extra } : {}) });
    await this.queue(trial, history);
  }

  private async queue(trial: TrialMessage, history: TrialHistory): Promise<void> {
    const { js, names, job } = this.place;
    const ack = await js.publish(names.trialSubject, encode(trial), { msgID: messageId(job, trial.number, COORDINATOR_ATTEMPT, 0) });
    // A duplicate's acknowledgement carries the stored message's sequence: the one to take back on a stop.
    history.specSeq = ack.seq;
  }

  private settle(number: number, result: TrialRunResult): void {
    const run = this.runs.get(number);
    if (!run) return;
    this.runs.delete(number);
    run.resolve(result);
  }

  private async event(number: number, seq: number, body: TrialEventBody): Promise<void> {
    const { js, names, job } = this.place;
    const event = { ...body, v: 1, job, number, attempt: COORDINATOR_ATTEMPT, seq, at: this.now };
    await js.publish(names.eventSubject(number), encode(event), { msgID: messageId(job, number, COORDINATOR_ATTEMPT, seq) });
  }

  /** The coordinator decides a trial's outcome itself (stopped before any worker took it, out of deliveries): recorded like a worker's result. */
  private async verdict(number: number, result: TrialRunOutcome): Promise<void> {
    const history = this.historyOf(number);
    if (history.result) return;
    history.result = result;
    this.settle(number, result);
    await this.event(number, 2, { kind: 'result', worker: 'coordinator', result }).catch(() => undefined);
  }

  stop(trialId: string, mode: StopMode): void {
    const entry = [...this.runs.entries()].find(([, run]) => run.trialId === trialId);
    if (!entry) return;
    const [number] = entry;
    const history = this.historyOf(number);
    const { jobs, jsm, names } = this.place;
    const work = (async () => {
      await jobs.put(names.stopKey(number), mode);
      if (history.attempt > 0 || history.specSeq === undefined) return;
      // No worker has started it: take it off the queue and end it here, so a job with no workers left can still stop.
      await jsm.streams.deleteMessage(names.trialStream, history.specSeq, false).catch(() => false);
      await this.verdict(number, { status: 'stopped' });
    })().catch(() => undefined);
    this.stopping.add(work);
    void work.finally(() => this.stopping.delete(work));
  }

  /** The workers serving this job now, from their expiring records. */
  workers(): Promise<WorkerRecord[]> {
    return listWorkers(this.place);
  }

  /** Ends the job on the server: workers leave it, specs nobody took are removed, the lease is released. The events stay, as its history. */
  dispose(): void {
    void this.close();
  }

  async close(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const [number, run] of this.runs) {
      this.runs.delete(number);
      run.resolve({ status: 'stopped' });
    }
    await Promise.all(this.stopping);
    this.stopListening?.();
    this.subscription?.unsubscribe();
    const { jsm, names } = this.place;
    await this.writeRecord('ended').catch(() => undefined);
    await jsm.streams.purge(names.trialStream).catch(() => undefined);
    await this.lease.release();
    if (this.options.closeConnection) await this.options.nc.close().catch(() => undefined);
    this.markClosed();
  }
}
