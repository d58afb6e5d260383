import type { JobDefinition } from '../config';
import { readTrialLog } from '../job/trial-log';
import type { Trial } from '../job/types';
import type { Params } from '../space';
import type { TrialHistory } from './nats-bus';

/**
 * The trials a job's events stream holds, as the runner keeps trials: finished ones with their
 * log read again (objective, metrics, epochs), unfinished ones (queued, or on a worker) as
 * `running` or `pending`, for a coordinator that takes the job over to adopt, re-runs and added
 * trials marked so (they do not count towards max jobs). Ids are the
 * trial numbers' (`bus-<n>`): the tuner that proposed them is gone.
 */
export function trialsFromHistory(job: JobDefinition, history: Iterable<TrialHistory>, now: number): Trial[] {
  const trials: Trial[] = [];
  for (const h of history) {
    if (!h.trial) continue;
    const params: Params = {};
    for (const name of Object.keys(job.parameters)) {
      if (name in h.trial.hyperparameters) params[name] = h.trial.hyperparameters[name] as Params[string];
    }
    const status: Trial['status'] = h.result?.status ?? (h.attempt > 0 ? 'running' : 'pending');
    const trial: Trial = { id: `bus-${h.number}`, number: h.number, seed: h.trial.seed, params, status, createdAt: now, metrics: {}, epochs: [], logs: [] };
    if (h.extra) Object.assign(trial, h.extra);
    if (h.attempt > 1) trial.attempt = h.attempt;
    if (h.worker) trial.worker = h.worker;
    if (h.backend) trial.backend = h.backend;
    readTrialLog(job, trial, h.lines);
    if (h.result?.status === 'failed') trial.reason = h.result.reason;
    if (h.result) trial.endedAt = now;
    trials.push(trial);
  }
  return trials.sort((a, b) => a.number - b.number);
}
