import type { JobDefinition } from '../../lib/config';
import { JobRunner, type JobStatus, type StopMode, type Trial, type WarmStartObservation } from '../../lib/job';
import type { BackendInfo } from '../../lib/device/backend-info';
import { WorkerPool } from '../../lib/job/pool';
import type { CategoryValue, Params } from '../../lib/space';
import type { Importance, SlicePoint, StrategyClient } from '../../lib/tuner';
import type { WorkerConnection } from '../../../workers/connect';
import { spawnTrainer, spawnTuner } from '../../../workers/spawn';
import { bestTrial } from '../charts/best';
import type { TunerFault, TunerWorkerApi } from '../../../workers/tuner.worker';

/** A filter on one axis of the parallel coordinates: a numeric range, or a set of categories. */
export type AxisBrush = { min: number; max: number } | { values: CategoryValue[] };

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
  /** The definition the job runs with: charts and summaries read it, never the form, which may have changed since. */
  job = $state<JobDefinition | undefined>();
  /** The trial selected in any chart or the table (its number), highlighted everywhere. */
  selected = $state<number | undefined>();
  /** Filters from the parallel coordinates, by axis name (a hyperparameter or the objective metric). */
  brushes = $state<Record<string, AxisBrush>>({});
  /** Bumped whenever the tuner has taken a result: its display model may have changed, so views of it refresh. */
  beliefVersion = $state(0);

  private runner?: JobRunner;
  private clock?: ReturnType<typeof setInterval>;
  /** Kept after the job ends, to answer the charts' questions about the GP; replaced by the next job's. */
  private tuner?: WorkerConnection<TunerWorkerApi>;

  /** The best completed trial in the job's goal direction; the charts hold the other hyperparameters at its values. */
  readonly bestTrial = $derived(this.job ? bestTrial(this.trials, this.job.objective.goal) : undefined);

  /** Trials that pass every brush of the parallel coordinates. */
  readonly visibleTrials = $derived(this.trials.filter((trial) => this.passesBrushes(trial)));

  select(number: number | undefined): void {
    this.selected = this.selected === number ? undefined : number;
  }

  setBrush(axis: string, brush: AxisBrush | undefined): void {
    if (brush) this.brushes[axis] = brush;
    else delete this.brushes[axis];
  }

  private passesBrushes(trial: Trial): boolean {
    for (const [axis, brush] of Object.entries(this.brushes)) {
      const value = axis === this.job?.objective.metric ? trial.objective : trial.params[axis];
      if (value === undefined) return false;
      if ('values' in brush) {
        if (!brush.values.includes(value)) return false;
      } else if (typeof value !== 'number' || value < brush.min || value > brush.max) return false;
    }
    return true;
  }

  /**
   * The tuner's belief along one hyperparameter, the others at `at`, in the objective's units; null
   * before two trials completed, without a GP (random, grid), or when the tuner is gone.
   */
  async slice(name: string, at: Params, points?: number): Promise<SlicePoint[] | null> {
    try {
      return (await this.tuner?.api.slice(name, at, points)) ?? null;
    } catch {
      return null;
    }
  }

  /** Which hyperparameters matter, as the tuner sees it; null when it cannot say. */
  async importance(): Promise<Importance | null> {
    try {
      return (await this.tuner?.api.importance()) ?? null;
    } catch {
      return null;
    }
  }

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
    this.selected = undefined;
    this.brushes = {};
    this.job = job;
    this.startedAt = this.now = Date.now();

    this.tuner?.terminate();
    const tuner = spawnTuner();
    this.tuner = tuner;
    const pool = new WorkerPool(job.maxParallelJobs, spawnTrainer, {
      onWorker: (id, info) => (this.workers[id] = info),
      onTrialTensors: (trialId, before, after) => (this.leakedTensors[trialId] = after - before),
    });
    // Each result the tuner takes may change its display model: views of it ask again once it has.
    const strategy: StrategyClient = {
      ask: (count) => tuner.api.ask(count),
      register: (params) => tuner.api.register(params),
      tell: async (id, outcome) => {
        await tuner.api.tell(id, outcome);
        this.beliefVersion++;
      },
      observe: async (params, value) => {
        await tuner.api.observe(params, value);
        this.beliefVersion++;
      },
    };
    const runner = new JobRunner(job, strategy, pool, { warmStart: $state.snapshot(warmStart) as WarmStartObservation[] });
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
    }
  }

  /**
   * Shows finished trials without running them: an imported job's (Import), and the dashboard
   * benchmark's seam (`?bench`, see App.svelte), which needs hundreds of trials on the charts
   * without training them. The last job's tuner goes: its belief is not about these trials.
   */
  show(job: JobDefinition, trials: Trial[]): void {
    if (this.active) throw new Error('A job is running.');
    this.tuner?.terminate();
    this.tuner = undefined;
    this.beliefVersion++;
    this.message = undefined;
    this.job = job;
    this.trials = trials;
    this.status = 'completed';
    this.selected = undefined;
    this.brushes = {};
    this.startedAt = Math.min(...trials.map((t) => t.startedAt ?? t.createdAt));
    this.now = Math.max(...trials.map((t) => t.endedAt ?? t.createdAt));
  }

  /** Ends the tuner worker kept for the charts (the page is going away). */
  dispose(): void {
    this.tuner?.terminate();
    this.tuner = undefined;
  }

  /**
   * Runs these hyperparameters again with a new seed (Re-run), marked as a re-run of trial
   * `rerunOf` when given; only while the job runs. A refusal is shown as the job's message.
   */
  enqueue(params: Params, rerunOf?: number): void {
    if (!this.runner) {
      this.message = 'There is no job to run these hyperparameters in.';
      return;
    }
    // Plain data only: the params cross into the tuner worker, which cannot receive reactive proxies.
    this.runner.enqueue($state.snapshot(params) as Params, { rerunOf }).catch((error: Error) => (this.message = error.message));
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
