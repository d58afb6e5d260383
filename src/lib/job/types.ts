import type { EpochRecord, FinalRecord, ResolvedHyperparameters, TrainProgress } from '../metrics/engine';
import type { CategoryValue, Params } from '../space';

export type TrialStatus = 'pending' | 'running' | 'completed' | 'failed' | 'stopped';
export type StopMode = 'soft' | 'hard';
export type JobStatus = 'idle' | 'running' | 'stopping' | 'completed' | 'stopped' | 'failed';
/** Who stopped a trial: the median stopping rule, or the user (Stop, Stop now, Stop trial). */
export type StoppedBy = 'rule' | 'user';

/** A trial that will not run again in this job: its record is final. */
export const isFinishedTrial = (status: TrialStatus): boolean => status === 'completed' || status === 'stopped' || status === 'failed';
/** A job whose runner has let go of it: nothing more is asked, trained or recorded. */
export const hasJobEnded = (status: JobStatus): boolean => status === 'completed' || status === 'stopped' || status === 'failed';

/**
 * What the tuner learns from a finished trial told to it again (a resumed or shown job): its
 * objective where it has one the search may trust (completed, or stopped by the rule, whose
 * value is its last report), NaN otherwise, as a failed point.
 */
export const observedObjective = (trial: Pick<Trial, 'objective' | 'status' | 'stoppedBy'>): number =>
  trial.objective !== undefined && (trial.status === 'completed' || trial.stoppedBy === 'rule') ? trial.objective : Number.NaN;

export interface Trial {
  id: string;
  /** 1-based, in the order the runner created them (suggestions and enqueued trials alike); the seed follows it. */
  number: number;
  /** The trial's random seed (initial weights, data order, augmentation): from the job's seed and the trial number. */
  seed: number;
  params: Params;
  /** Set on a trial enqueued to repeat another (Re-run): that trial's number. */
  rerunOf?: number;
  /** Set on a trial whose hyperparameters the user typed in (Run next): like a re-run, it comes on top of max jobs. */
  added?: true;
  /** Under Hyperband, the trial's rung (0: the fewest epochs); its budget is `params.epochs`. */
  rung?: number;
  status: TrialStatus;
  /** 1 for the first run; a retry after a failure not the trial's own is the next attempt of the same trial. Absent means 1. */
  attempt?: number;
  /** The attempts before this one, oldest first; the tuner is told only the last attempt's outcome. */
  failedAttempts?: FailedAttempt[];
  createdAt: number;
  startedAt?: number;
  endedAt?: number;
  /** The objective metric's last value, once a log line has matched. */
  objective?: number;
  /** Every value of every metric, by name, in log order. */
  metrics: Record<string, number[]>;
  /** The engine's `Epoch N, ...` lines, in log order, whatever the metric definitions read. */
  epochs: EpochRecord[];
  /** The engine's `Final, ...` line, once printed. */
  final?: FinalRecord;
  /** Every engine hyperparameter the trial trained with, defaults included, from its `Hyperparameters` line. */
  resolved?: ResolvedHyperparameters;
  /** The recipe version that resolved them (RECIPE_VERSION in src/lib/recipe). */
  recipeVersion?: number;
  /** Why a trial failed or stopped. */
  reason?: string;
  /** Set on a stopped trial when the rule or the user asked for the stop; absent when the job's failure stopped it. */
  stoppedBy?: StoppedBy;
  logs: string[];
  /** Where it ran, as the worker reported it. */
  backend?: string;
  workerId?: number;
  /** The remote worker's name, when a NATS bus ran the trial. */
  worker?: string;
  /** The latest step progress the worker reported. */
  progress?: TrainProgress;
}

/** Everything a worker needs to train one trial; never the data itself. */
export interface TrialSpec {
  trialId: string;
  /** The trial's number in its job: unique across resumes and coordinators, unlike the tuner's id. */
  number?: number;
  hyperparameters: Record<string, CategoryValue | boolean>;
  seed: number;
  /**
   * Why the trial runs on top of max jobs, if it does (see `isExtraTrial`): a bus records it, so
   * a coordinator that takes the job over counts the trial as this one did.
   */
  extra?: ExtraMark;
}

/** What makes a trial extra: a re-run of another, or one the user added. */
export type ExtraMark = { rerunOf: number } | { added: true };

export type TrialRunResult =
  | { status: 'completed' }
  | { status: 'stopped' }
  /** `retryable`: the failure was not the trial's own (its worker crashed or lost the GPU), so another attempt may succeed. */
  | { status: 'failed'; reason: string; retryable?: boolean };

/** An earlier attempt of a trial that failed for a reason not its own, and was retried. */
export interface FailedAttempt {
  attempt: number;
  reason: string;
  startedAt?: number;
  endedAt: number;
}

export interface TrialHooks {
  /** `worker` names a remote worker (a NATS bus); the in-page pool numbers its workers instead. */
  onStart(info: { backend: string; workerId: number; worker?: string }): void;
  onLog(line: string): void;
  onProgress(progress: TrainProgress): void;
  /**
   * The bus runs the trial again on its own (a NATS redelivery after its worker went silent): the
   * attempt so far is over for `reason`, and a fresh one starts with the same seed.
   */
  onRestart?(reason: string): void;
}

/**
 * The seam between the runner and wherever trials train: trial specs go out, trial events (log
 * lines, progress, start, result) come back. The in-page worker pool (`WorkerPool`) is the embedded
 * default and needs no server; `src/lib/bus` carries the same calls over NATS JetStream to workers
 * on other machines. Tests use fakes.
 */
export interface TrialBus {
  run(spec: TrialSpec, hooks: TrialHooks): Promise<TrialRunResult>;
  stop(trialId: string, mode: StopMode): void;
  /** Releases workers once the job is over. */
  dispose?(): void;
}

/**
 * What the runner tells its subscribers. A `trial` event carries a copy of the whole trial, logs
 * included; `progress` comes every few steps, so it carries only the trial's id and its progress.
 */
export type JobEvent =
  | { type: 'trial'; trial: Trial }
  | { type: 'progress'; trialId: string; progress: TrainProgress }
  | { type: 'job'; status: JobStatus; message?: string };
