import { describe, expect, it } from 'vitest';
import type { TrialHooks, TrialRunResult, TrialSpec } from '../../../src/lib/job';
import { WorkerPool, type WorkerHandle } from '../../../src/lib/job/pool';
import type { TrainerEvent, TrainerResult } from '../../../src/lib/job/trainer-api';
import type { TrainProgress } from '../../../src/lib/metrics';

/** A stand-in worker whose trials the test ends, crashes or leaves hanging. */
class FakeWorker implements WorkerHandle {
  static all: FakeWorker[] = [];
  terminated = false;
  softStops = 0;
  trains: string[] = [];
  private endTrial?: (r: TrainerResult) => void;
  private crash!: (reason: string) => void;
  failed = new Promise<string>((resolve) => (this.crash = resolve));
  onEvent?: (event: TrainerEvent) => void;

  constructor() {
    FakeWorker.all.push(this);
  }

  api = {
    init: async () => ({ backend: 'webgpu' as const, notes: [] }),
    train: (spec: TrialSpec, onEvent: (event: TrainerEvent) => void) =>
      new Promise<TrainerResult>((resolve) => {
        this.trains.push(spec.trialId);
        this.onEvent = onEvent;
        this.endTrial = resolve;
      }),
    stop: () => {
      this.softStops++;
      this.end({ status: 'stopped' });
    },
  };

  end(result: Partial<TrainerResult> & { status: TrainerResult['status'] }): void {
    this.endTrial?.({ tensorsBefore: 5, tensorsAfter: 5, ...result });
  }

  die(reason: string): void {
    this.crash(reason);
  }

  terminate(): void {
    this.terminated = true;
  }
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
/** Hooks that record what reaches the trial, log lines and progress in one sequence, in order. */
const hooks = (seen: (string | TrainProgress)[] = []): TrialHooks => ({
  onStart: () => {},
  onLog: (line) => seen.push(line),
  onProgress: (progress) => seen.push(progress),
});
const spec = (id: string): TrialSpec => ({ trialId: id, hyperparameters: {}, seed: 1 });

function makePool(size: number) {
  FakeWorker.all = [];
  const tensors: Record<string, number> = {};
  const pool = new WorkerPool(size, () => new FakeWorker(), { onTrialTensors: (id, before, after) => (tensors[id] = after - before) });
  return { pool, tensors };
}

describe('WorkerPool', () => {
  it('starts at most `size` workers and reuses them for queued trials', async () => {
    const { pool, tensors } = makePool(2);
    const results = ['a', 'b', 'c'].map((id) => pool.run(spec(id), hooks()));
    await flush();
    expect(FakeWorker.all).toHaveLength(2);
    FakeWorker.all[0].end({ status: 'completed' });
    await flush();
    expect(FakeWorker.all[0].trains).toEqual(['a', 'c']);
    FakeWorker.all[0].end({ status: 'completed' });
    FakeWorker.all[1].end({ status: 'completed' });
    expect(await Promise.all(results)).toEqual([{ status: 'completed' }, { status: 'completed' }, { status: 'completed' }]);
    expect(FakeWorker.all).toHaveLength(2);
    expect(tensors).toEqual({ a: 0, b: 0, c: 0 });
  });

  it('forwards log lines and progress to the trial, in the order the worker sent them', async () => {
    const { pool } = makePool(1);
    const seen: (string | TrainProgress)[] = [];
    const result = pool.run(spec('a'), hooks(seen));
    await flush();
    const atSync = { epoch: 1, step: 8, totalSteps: 20, stepsPerEpoch: 10 };
    const atEnd = { epoch: 1, step: 10, totalSteps: 20, stepsPerEpoch: 10 };
    FakeWorker.all[0].onEvent!({ type: 'progress', progress: atSync });
    FakeWorker.all[0].onEvent!({ type: 'progress', progress: atEnd });
    FakeWorker.all[0].onEvent!({ type: 'log', line: 'Epoch 1, Validation accuracy=0.5' });
    FakeWorker.all[0].end({ status: 'completed' });
    await result;
    expect(seen).toEqual([atSync, atEnd, 'Epoch 1, Validation accuracy=0.5']);
  });

  it('replaces a crashed worker, fails its trial, and runs the next trial on a new worker', async () => {
    const { pool } = makePool(1);
    const first = pool.run(spec('a'), hooks());
    const second = pool.run(spec('b'), hooks());
    await flush();
    FakeWorker.all[0].die('The trainer worker crashed: Injected crash');
    expect(await first).toEqual({ status: 'failed', reason: 'The trainer worker crashed: Injected crash', retryable: true });
    await flush();
    expect(FakeWorker.all[0].terminated).toBe(true);
    expect(FakeWorker.all).toHaveLength(2);
    expect(FakeWorker.all[1].trains).toEqual(['b']);
    FakeWorker.all[1].end({ status: 'completed' });
    expect(await second).toEqual({ status: 'completed' });
  });

  it('replaces a worker whose GPU device was lost', async () => {
    const { pool } = makePool(1);
    const first = pool.run(spec('a'), hooks());
    await flush();
    FakeWorker.all[0].end({ status: 'failed', reason: 'The GPU device was lost (destroyed).', unusable: true });
    expect(await first).toEqual({ status: 'failed', reason: 'The GPU device was lost (destroyed).', retryable: true });
    expect(FakeWorker.all[0].terminated).toBe(true);
    const second = pool.run(spec('b'), hooks());
    await flush();
    expect(FakeWorker.all).toHaveLength(2);
    FakeWorker.all[1].end({ status: 'completed' });
    expect(await second).toEqual({ status: 'completed' });
  });

  it('soft-stops through the worker and hard-stops by terminating it', async () => {
    const { pool } = makePool(2);
    const soft = pool.run(spec('a'), hooks());
    const hard = pool.run(spec('b'), hooks());
    await flush();
    pool.stop('a', 'soft');
    pool.stop('b', 'hard');
    expect(await soft).toEqual({ status: 'stopped' });
    expect(await hard).toEqual({ status: 'stopped' });
    expect(FakeWorker.all[0]).toMatchObject({ softStops: 1, terminated: false });
    expect(FakeWorker.all[1]).toMatchObject({ softStops: 0, terminated: true });
  });

  it('stops a queued trial without starting it, and terminates every worker on dispose', async () => {
    const { pool } = makePool(1);
    const running = pool.run(spec('a'), hooks());
    const queued = pool.run(spec('b'), hooks());
    await flush();
    pool.stop('b', 'soft');
    expect(await queued).toEqual({ status: 'stopped' });
    pool.dispose();
    expect(await running).toEqual({ status: 'stopped' });
    expect(FakeWorker.all.every((w) => w.terminated)).toBe(true);
    expect(FakeWorker.all[0].trains).toEqual(['a']);
    expect(await pool.run(spec('c'), hooks())).toMatchObject({ status: 'failed' });
  });
});
