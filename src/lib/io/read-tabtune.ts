import { validateJob } from '../config/job';
import type { Trial, TrialStatus } from '../job/types';
import { EXPORT_VERSION } from './export-json';
import { isRecord } from './quoting';
import { emptyReport, type ImportResult } from './types';

const STATUSES: readonly TrialStatus[] = ['pending', 'running', 'completed', 'failed', 'stopped'];

/**
 * A TabTune export (`format: 'tabtune-job'`): the job checked by `validateJob`, the trials
 * checked for the shape the page draws (a wrong field is an error that names it, and nothing is
 * imported). A trial exported while it ran comes back stopped, since nothing runs it now.
 */
export function readTabTuneExport(file: Record<string, unknown>): ImportResult {
  if (typeof file.version !== 'number' || !Number.isInteger(file.version) || file.version < 1) {
    return { kind: 'error', message: 'This TabTune export has no valid version.' };
  }
  if (file.version > EXPORT_VERSION) {
    return { kind: 'error', message: `This file was exported by a newer TabTune (export version ${file.version}); this page reads version ${EXPORT_VERSION}.` };
  }
  if (!isRecord(file.job)) return { kind: 'error', message: 'This TabTune export has no job definition.' };
  if (!Array.isArray(file.trials)) return { kind: 'error', message: 'This TabTune export has no list of trials.' };
  const report = emptyReport();
  const { job, errors } = validateJob(file.job);
  for (const error of errors) report.notices.push(`The job's ${error.path}: ${error.message}`);

  const trials: Trial[] = [];
  const numbers = new Set<number>();
  for (const [i, raw] of file.trials.entries()) {
    const problem = trialProblem(raw);
    if (problem) return { kind: 'error', message: `Trial ${i + 1} in the file ${problem}; nothing was imported.` };
    const trial = structuredClone(raw) as unknown as Trial;
    if (numbers.has(trial.number)) return { kind: 'error', message: `Two trials in the file have number ${trial.number}; nothing was imported.` };
    numbers.add(trial.number);
    if (trial.status === 'pending' || trial.status === 'running') {
      report.notices.push(`Trial ${trial.number} was ${trial.status} when the job was exported; it is shown as stopped.`);
      trial.reason ??= `Exported while ${trial.status}.`;
      trial.status = 'stopped';
    }
    trials.push(trial);
  }
  trials.sort((a, b) => a.number - b.number);
  const exportedAt = typeof file.exportedAt === 'string' ? file.exportedAt : undefined;
  return { kind: 'tabtune', job, trials, ...(exportedAt ? { exportedAt } : {}), report };
}

/** What is wrong with a trial's shape, as the end of a sentence, or undefined. */
function trialProblem(raw: unknown): string | undefined {
  if (!isRecord(raw)) return 'is not an object';
  const t = raw;
  if (typeof t.id !== 'string') return 'has no id';
  if (typeof t.number !== 'number' || !Number.isInteger(t.number) || t.number < 1) return 'has no number ≥ 1';
  if (!STATUSES.includes(t.status as TrialStatus)) return `has an unknown status ${JSON.stringify(t.status)}`;
  if (!isRecord(t.params) || !Object.values(t.params).every((v) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)))) {
    return 'has hyperparameters (params) that are not an object of numbers and strings';
  }
  if (typeof t.createdAt !== 'number') return 'has no createdAt time';
  for (const key of ['seed', 'startedAt', 'endedAt', 'objective', 'attempt', 'rerunOf', 'recipeVersion', 'workerId'] as const) {
    if (t[key] !== undefined && (typeof t[key] !== 'number' || !Number.isFinite(t[key]))) return `has a ${key} that is not a number`;
  }
  for (const key of ['reason', 'backend'] as const) if (t[key] !== undefined && typeof t[key] !== 'string') return `has a ${key} that is not text`;
  if (t.added !== undefined && t.added !== true) return 'has an added mark that is not true';
  if (t.stoppedBy !== undefined && t.stoppedBy !== 'rule' && t.stoppedBy !== 'user') return 'has an unknown stoppedBy';
  if (!isRecord(t.metrics) || !Object.values(t.metrics).every((values) => Array.isArray(values) && values.every((v) => typeof v === 'number'))) {
    return 'has metrics that are not lists of numbers';
  }
  if (!Array.isArray(t.epochs) || !t.epochs.every(isRecord)) return 'has no list of epochs';
  if (!Array.isArray(t.logs) || !t.logs.every((line) => typeof line === 'string')) return 'has no list of log lines';
  if (t.final !== undefined && !isRecord(t.final)) return 'has a final record that is not an object';
  if (t.resolved !== undefined && !isRecord(t.resolved)) return 'has resolved hyperparameters that are not an object';
  if (t.failedAttempts !== undefined && !(Array.isArray(t.failedAttempts) && t.failedAttempts.every(isRecord))) return 'has failedAttempts that are not a list';
  return undefined;
}
