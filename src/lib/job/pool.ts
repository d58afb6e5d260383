import type { BackendInfo } from '../device/backend-info';
import type { StopMode, TrialBus, TrialHooks, TrialRunResult, TrialSpec } from './types';
import type { TrainerApi, TrainerEvent, TrainerResult } from './trainer-api';

/** One live worker as the pool sees it; `spawnTrainer` makes real ones, tests make fakes. */
export interface WorkerHandle {
  api: {
    init(): Promise<BackendInfo>;
    train(spec: TrialSpec, onEvent: (event: TrainerEvent) => void): Promise<TrainerResult>;
    stop(): void | Promise<void>;
  };
  /** Resolves with the reason when the worker dies (failed load, uncaught error, lost GPU device). */
  failed: Promise<string>;
  terminate(): void;
}

export type WorkerFactory = () => WorkerHandle;

interface Slot {
  workerId: number;
  handle: WorkerHandle;
  info?: Promise<BackendInfo>;
  trialId?: string;
  /** Ends the running trial from outside (hard stop) with this result. */
  interrupt?: (result: TrialRunResult) => void;
}

interface Queued {
  spec: TrialSpec;
  hooks: TrialHooks;
  resolve: (result: TrialRunResult) => void;
}

export interface PoolEvents {
  onWorker?(workerId: number, info: BackendInfo): void;
  onTrialTensors?(trialId: string, before: number, after: number): void;
}

/**
 * Runs trials on up to `size` workers. Hard stops and crashes terminate the worker and start a
 * fresh one for the next trial; dispose() terminates them all when the job is over.
 */
export class WorkerPool implements TrialBus {
  private readonly slots: Slot[] = [];
  private readonly queue: Queued[] = [];
  private nextWorkerId = 1;
  private disposed = false;

  constructor(
    private readonly size: number,
    private readonly spawn: WorkerFactory,
    private readonly events: PoolEvents = {},
  ) {}

  get workerCount(): number {
    return this.slots.length;
  }

  run(spec: TrialSpec, hooks: TrialHooks): Promise<TrialRunResult> {
    if (this.disposed) return Promise.resolve({ status: 'failed', reason: 'The worker pool has been shut down.' });
    return new Promise((resolve) => {
      this.queue.push({ spec, hooks, resolve });
      this.dispatch();
    });
  }

  stop(trialId: string, mode: StopMode): void {
    const queued = this.queue.findIndex((q) => q.spec.trialId === trialId);
    if (queued >= 0) {
      this.queue.splice(queued, 1)[0].resolve({ status: 'stopped' });
      return;
    }
    const slot = this.slots.find((s) => s.trialId === trialId);
    if (!slot) return;
    if (mode === 'soft') void slot.handle.api.stop();
    else slot.interrupt?.({ status: 'stopped' });
  }

  dispose(): void {
    this.disposed = true;
    for (const queued of this.queue.splice(0)) queued.resolve({ status: 'stopped' });
    for (const slot of this.slots.splice(0)) {
      slot.interrupt?.({ status: 'stopped' });
      slot.handle.terminate();
    }
  }

  private dispatch(): void {
    while (this.queue.length > 0 && !this.disposed) {
      let slot = this.slots.find((s) => s.trialId === undefined);
      if (!slot && this.slots.length < this.size) slot = this.addSlot();
      if (!slot) return;
      void this.runOn(slot, this.queue.shift()!);
    }
  }

  private addSlot(): Slot {
    const slot: Slot = { workerId: this.nextWorkerId++, handle: this.spawn() };
    this.slots.push(slot);
    return slot;
  }

  private async runOn(slot: Slot, { spec, hooks, resolve }: Queued): Promise<void> {
    slot.trialId = spec.trialId;
    let replace = false;
    const interrupted = new Promise<TrialRunResult>((resolveInterrupt) => {
      slot.interrupt = (result) => {
        replace = true;
        resolveInterrupt(result);
      };
    });
    const died = slot.handle.failed.then((reason): TrialRunResult => {
      replace = true;
      return { status: 'failed', reason, retryable: true };
    });
    const work = (async (): Promise<TrialRunResult> => {
      slot.info ??= slot.handle.api.init();
      const info = await slot.info;
      this.events.onWorker?.(slot.workerId, info);
      hooks.onStart({ backend: info.backend, workerId: slot.workerId });
      const result = await slot.handle.api.train(spec, (event) => {
        if (event.type === 'log') hooks.onLog(event.line);
        else hooks.onProgress(event.progress);
      });
      this.events.onTrialTensors?.(spec.trialId, result.tensorsBefore, result.tensorsAfter);
      if (result.unusable) replace = true;
      // A worker that reports itself unusable (lost GPU device) failed the trial, not the trial's values.
      if (result.status === 'failed') return { status: 'failed', reason: result.reason ?? 'The trial failed.', ...(result.unusable ? { retryable: true } : {}) };
      return { status: result.status };
    })().catch((error: Error): TrialRunResult => {
      replace = true;
      return { status: 'failed', reason: `The worker failed: ${error.message}`, retryable: true };
    });

    const result = await Promise.race([work, interrupted, died]);
    slot.interrupt = undefined;
    slot.trialId = undefined;
    if (replace) this.retire(slot);
    resolve(result);
    this.dispatch();
  }

  /** Terminates a worker that crashed, lost its device or was hard-stopped; the next trial gets a new one. */
  private retire(slot: Slot): void {
    slot.handle.terminate();
    const index = this.slots.indexOf(slot);
    if (index >= 0) this.slots.splice(index, 1);
  }
}
