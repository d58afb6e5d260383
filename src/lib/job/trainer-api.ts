import type { BackendInfo, BackendName } from '../device/backend-info';
import type { TrainProgress } from '../metrics/engine';
import type { TrialSpec } from './types';

/** What a trainer worker reports while it trains: every log line, and its step progress at the loop's sync points. */
export type TrainerEvent = { type: 'log'; line: string } | { type: 'progress'; progress: TrainProgress };

export interface TrainerResult {
  status: 'completed' | 'stopped' | 'failed';
  reason?: string;
  /** tf.memory().numTensors before and after the trial: equal when nothing leaked. */
  tensorsBefore: number;
  tensorsAfter: number;
  /** The worker cannot train again (its GPU device is gone): replace it. */
  unusable?: boolean;
}

/** What a trainer worker exposes through Comlink. It knows nothing about tuning. */
export interface TrainerApi {
  init(order?: BackendName[]): Promise<BackendInfo>;
  train(spec: TrialSpec, onEvent: (event: TrainerEvent) => void): Promise<TrainerResult>;
  /** Soft stop: the running trial ends as stopped at its next step boundary. */
  stop(): void;
}
