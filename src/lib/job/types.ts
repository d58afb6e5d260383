import type { TrainProgress } from '../metrics/engine';
import type { CategoryValue, Params } from '../space';

export type TrialStatus = 'pending' | 'running' | 'completed' | 'failed' | 'stopped';
export type StopMode = 'soft' | 'hard';
export type JobStatus = 'idle' | 'running' | 'stopping' | 'completed' | 'stopped' | 'failed';

export interface Trial {
  id: string;
  /** 1-based, in the order the tuner proposed them. */
  number: number;
  params: Params;
  status: TrialStatus;
  createdAt: number;
  startedAt?: number;
  endedAt?: number;
  /** The objective metric's last value, once a log line has matched. */
  objective?: number;
  /** Every value of every metric, by name, in log order. */
  metrics: Record<string, number[]>;
  /** Why a trial failed or stopped. */
  reason?: string;
  logs: string[];
  /** Where it ran, as the worker reported it. */
  backend?: string;
  workerId?: number;
  /** The latest step progress the worker reported. */
  progress?: TrainProgress;
}

/** Everything a worker needs to train one trial; never the data itself. */
export interface TrialSpec {
  trialId: string;
  hyperparameters: Record<string, CategoryValue | boolean>;
  seed: number;
}

export type TrialRunResult =
  | { status: 'completed' }
  | { status: 'stopped' }
  | { status: 'failed'; reason: string };

export interface TrialHooks {
  onStart(info: { backend: string; workerId: number }): void;
  onLog(line: string): void;
  onProgress(progress: TrainProgress): void;
}

/** Runs trials somewhere (a worker pool in the page, a loop in Node, a fake in tests). */
export interface TrialExecutor {
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
