import { isFinishedTrial, trialCounts, type Trial, type TrialStatus } from '../../lib/job';

/** Seconds a trial has run: to its end, or to `now` while it runs; undefined before it starts. */
export function trialSeconds(trial: Trial, now: number): number | undefined {
  if (trial.startedAt === undefined) return undefined;
  return Math.max(0, ((trial.endedAt ?? now) - trial.startedAt) / 1000);
}

/** The training throughput a trial last reported (its latest `Epoch` line). */
export function trialImagesPerSecond(trial: Trial): number | undefined {
  return trial.epochs.at(-1)?.imagesPerSecond;
}

export type SortKey = 'number' | 'status' | 'objective' | 'duration' | 'imagesPerSecond' | `param:${string}`;

const STATUS_ORDER: Record<TrialStatus, number> = { running: 0, pending: 1, completed: 2, stopped: 3, failed: 4 };

function sortValue(trial: Trial, key: SortKey, now: number): number | string | undefined {
  if (key === 'number') return trial.number;
  if (key === 'status') return STATUS_ORDER[trial.status];
  if (key === 'objective') return trial.objective;
  if (key === 'duration') return trialSeconds(trial, now);
  if (key === 'imagesPerSecond') return trialImagesPerSecond(trial);
  const value = trial.params[key.slice('param:'.length)];
  return value === undefined ? undefined : value;
}

/**
 * The table's rows in the order asked for; trials without a value for the column (no objective
 * yet) go last in either direction, and ties keep trial order.
 */
export function sortTrials(trials: Trial[], key: SortKey, descending: boolean, now: number): Trial[] {
  const direction = descending ? -1 : 1;
  return trials
    .map((trial) => ({ trial, value: sortValue(trial, key, now) }))
    .sort((a, b) => {
      if (a.value === undefined || b.value === undefined) return a.value === b.value ? a.trial.number - b.trial.number : a.value === undefined ? 1 : -1;
      if (a.value === b.value) return a.trial.number - b.trial.number;
      if (typeof a.value === 'number' && typeof b.value === 'number') return direction * (a.value - b.value);
      return direction * String(a.value).localeCompare(String(b.value));
    })
    .map(({ trial }) => trial);
}

/**
 * Seconds until the job ends, if the trials still to run take as long as the finished ones did:
 * what the running trials have left (from their progress when known) plus the trials not yet
 * started, spread over the parallel workers. Undefined until there is anything to go by.
 */
export function remainingSeconds(trials: Trial[], maxJobs: number, parallel: number, now: number): number | undefined {
  const finished = trials.filter((t) => isFinishedTrial(t.status) && t.startedAt !== undefined);
  const running = trials.filter((t) => t.status === 'running');
  const perTrialFromFinished = finished.length ? finished.reduce((sum, t) => sum + trialSeconds(t, now)!, 0) / finished.length : undefined;
  const runningLeft: number[] = [];
  const estimates: number[] = [];
  for (const trial of running) {
    const elapsed = trialSeconds(trial, now) ?? 0;
    const fraction = trial.progress ? trial.progress.step / trial.progress.totalSteps : 0;
    const total = fraction > 0 ? elapsed / fraction : perTrialFromFinished;
    if (total === undefined) continue;
    estimates.push(total);
    runningLeft.push(Math.max(0, total - elapsed));
  }
  const perTrial = perTrialFromFinished ?? (estimates.length ? estimates.reduce((a, b) => a + b, 0) / estimates.length : undefined);
  if (perTrial === undefined) return undefined;
  if (runningLeft.length < running.length) return undefined;
  // Max jobs bounds the strategy's trials; re-runs and added trials are on top and already in the list.
  const notStarted = Math.max(0, maxJobs - trialCounts(trials).searched) + trials.filter((t) => t.status === 'pending').length;
  return (runningLeft.reduce((a, b) => a + b, 0) + notStarted * perTrial) / Math.max(1, parallel);
}

/** "42 s", "3 min 5 s", "1 h 2 min". */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}

/**
 * Hyperband's full-budget runs against max jobs. Runs already under way when max jobs was reached
 * still finish at the full budget, so there can be more than max jobs: "3 of 2" read as a
 * miscount, so the excess is said in words.
 */
function fullBudgetText(fullRuns: number, maxJobs: number): string {
  if (fullRuns <= maxJobs) return `${fullRuns} of ${maxJobs} full-budget runs`;
  const more = fullRuns - maxJobs;
  return `${fullRuns} full-budget runs (max jobs ${maxJobs}; ${more} more ${more === 1 ? 'was' : 'were'} already running)`;
}

/** "2 failed, 1 stopped": how many of `trials` are in each status, in the order the statuses first appear. */
export function statusCountsText(trials: readonly Pick<Trial, 'status'>[]): string {
  const counts = new Map<string, number>();
  for (const t of trials) counts.set(t.status, (counts.get(t.status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${n} ${status}`).join(', ');
}

/**
 * The job summary's count line: the strategy's trials against max jobs (under Hyperband, with
 * `fullRuns`, its full-budget completions against max jobs, then its trials), the trials added
 * by the user and the re-runs on top, then how many trials are in each status, e.g.
 * "4 of 4 trials + 1 added + 1 re-run: 5 completed, 1 failed".
 */
export function jobCountsText(trials: readonly Trial[], maxJobs: number, fullRuns?: number): string {
  const { searched, added, reruns } = trialCounts(trials);
  const extras = `${added ? ` + ${added} added` : ''}${reruns ? ` + ${reruns} re-run${reruns > 1 ? 's' : ''}` : ''}`;
  const search = fullRuns === undefined ? `${searched} of ${maxJobs} trials` : `${fullBudgetText(fullRuns, maxJobs)}; ${searched} trials`;
  return `${search}${extras}: ${statusCountsText(trials)}`;
}
