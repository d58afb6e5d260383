import type { JobDefinition } from '../../lib/config';
import { JobRunner, type JobStatus, type StopMode, type Trial, type WarmStartObservation } from '../../lib/job';
import type { BackendInfo } from '../../lib/device/backend-info';
import { WorkerPool } from '../../lib/job/pool';
import { spawnTrainer, spawnTuner } from '../../../workers/spawn';
import type { TunerFault } from '../../../workers/tuner.worker';

/** One tuning job as the page shows it: rebuilt from the runner's events. */
export class JobSession {
  trials = $state<Trial[]>([]);
  status = $state<JobStatus>('idle');
  message = $state<string | undefined>();
  startedAt = $state(0);
  now = $state(0);
  workers = $state<Record<number, BackendInfo>>({});
  /** Tensors left behind by each trial in its worker (0 when nothing leaked). */
  leakedTensors = $state<Record<string, number>>({});

  private runner?: JobRunner;
  private clock?: ReturnType<typeof setInterval>;

  get active(): boolean {
    return this.status === 'running' || this.status === 'stopping';
  }

  /** Completed trials of the last job, offered as a warm start for the next. */
  get warmStartCandidates(): WarmStartObservation[] {
    return this.trials.filter((t) => t.status === 'completed' && t.objective !== undefined).map((t) => ({ params: t.params, value: t.objective! }));
  }

  async start(definition: JobDefinition, warmStart: WarmStartObservation[] = []): Promise<void> {
    if (this.active) return;
    // Plain data only: it crosses into workers, which cannot receive reactive proxies.
    const job = $state.snapshot(definition) as JobDefinition;
    this.trials = [];
    this.workers = {};
    this.leakedTensors = {};
    this.message = undefined;
    this.startedAt = this.now = Date.now();

    const tuner = spawnTuner();
    const pool = new WorkerPool(job.maxParallelJobs, spawnTrainer, {
      onWorker: (id, info) => (this.workers[id] = info),
      onTrialTensors: (trialId, before, after) => (this.leakedTensors[trialId] = after - before),
    });
    const runner = new JobRunner(job, tuner.api, pool, { warmStart: $state.snapshot(warmStart) as WarmStartObservation[] });
    this.runner = runner;
    runner.subscribe((event) => {
      if (event.type === 'job') {
        this.status = event.status;
        this.message = event.message;
        return;
      }
      if (event.type === 'progress') {
        const trial = this.trials.find((t) => t.id === event.trialId);
        if (trial) trial.progress = event.progress;
        return;
      }
      const index = this.trials.findIndex((t) => t.id === event.trial.id);
      if (index >= 0) this.trials[index] = event.trial;
      else this.trials.push(event.trial);
      this.now = Date.now();
    });
    // A tuner that dies between calls ends the job now, not at its next ask or tell.
    void tuner.failed.then((reason) => runner.abort(reason));
    this.clock = setInterval(() => (this.now = Date.now()), 1000);
    try {
      await tuner.api.start(job.strategy, { space: job.parameters, goal: job.objective.goal, seed: job.seed }, tunerFault());
      await runner.start();
    } catch (error) {
      this.status = 'failed';
      this.message = (error as Error).message;
      pool.dispose();
    } finally {
      clearInterval(this.clock);
      this.now = Date.now();
      tuner.terminate();
    }
  }

  stop(mode: StopMode): void {
    this.runner?.stop(mode);
  }

  stopTrial(id: string, mode: StopMode): void {
    this.runner?.stopTrial(id, mode);
  }
}

/** The page's test hook for a tuner that crashes mid-job: `?tuner-fault=crash` (see docs/DECISIONS.md). */
function tunerFault(): TunerFault {
  return new URLSearchParams(globalThis.location?.search).get('tuner-fault') === 'crash' ? 'crash' : 'none';
}
