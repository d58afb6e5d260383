import { defaultJob, type JobDefinition } from '../../../src/lib/config';
import { JobRunner, type RunnerOptions, type StopMode, type TrialBus, type TrialHooks, type TrialRunResult, type TrialSpec } from '../../../src/lib/job';
import type { TrainProgress } from '../../../src/lib/metrics';
import type { Params } from '../../../src/lib/space';
import { RandomStrategy } from '../../../src/lib/tuner/random';
import type { Outcome } from '../../../src/lib/tuner/types';

/* The runner's test doubles, shared by the runner, resume and store tests. */

/** A controllable executor: each trial waits until the test finishes it. */
export class FakeExecutor implements TrialBus {
  running = new Map<string, { spec: TrialSpec; hooks: TrialHooks; resolve: (r: TrialRunResult) => void }>();
  maxConcurrent = 0;
  stops: [string, StopMode][] = [];
  disposed = false;

  run(spec: TrialSpec, hooks: TrialHooks): Promise<TrialRunResult> {
    return new Promise((resolve) => {
      this.running.set(spec.trialId, { spec, hooks, resolve });
      this.maxConcurrent = Math.max(this.maxConcurrent, this.running.size);
      hooks.onStart({ backend: 'fake', workerId: 1 });
    });
  }

  stop(trialId: string, mode: StopMode): void {
    this.stops.push([trialId, mode]);
    this.finish(trialId, { status: 'stopped' });
  }

  dispose(): void {
    this.disposed = true;
  }

  log(trialId: string, line: string): void {
    this.running.get(trialId)!.hooks.onLog(line);
  }

  progress(trialId: string, progress: TrainProgress): void {
    this.running.get(trialId)!.hooks.onProgress(progress);
  }

  finish(trialId: string, result: TrialRunResult = { status: 'completed' }): void {
    const entry = this.running.get(trialId);
    if (!entry) return;
    this.running.delete(trialId);
    entry.resolve(result);
  }

  /** Completes every running trial with the given accuracy. */
  completeAll(accuracy = 0.5): void {
    for (const id of [...this.running.keys()]) {
      this.log(id, `Epoch 1, Validation accuracy=${accuracy}`);
      this.finish(id);
    }
  }
}

export class RecordingStrategy extends RandomStrategy {
  told: [string, Outcome][] = [];
  asked = 0;
  registered: [string, Params][] = [];
  override ask(count: number) {
    const suggestions = super.ask(count);
    this.asked += suggestions.length;
    return suggestions;
  }
  override register(params: Params): string {
    const id = super.register(params);
    this.registered.push([id, params]);
    return id;
  }
  override tell(id: string, outcome: Outcome): void {
    this.told.push([id, outcome]);
    super.tell(id, outcome);
  }
}

export const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

export class ObservingStrategy extends RecordingStrategy {
  observed: [Params, number][] = [];
  override observe(params: Params, value?: number): void {
    this.observed.push([params, value!]);
    super.observe(params, value!);
  }
}

export function setup(overrides: Partial<JobDefinition> = {}, options: RunnerOptions = {}) {
  const job = { ...defaultJob(), ...overrides };
  const strategy = new ObservingStrategy({ space: job.parameters, goal: 'maximize', seed: 1 });
  const executor = new FakeExecutor();
  const runner = new JobRunner(job, strategy, executor, options);
  return { job, strategy, executor, runner };
}
