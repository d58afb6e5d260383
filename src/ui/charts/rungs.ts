import type { JobDefinition } from '../../lib/config';
import { epochRange, rungBudgets } from '../../lib/tuner/rungs';
import { fullBudgetRuns, type Trial } from '../../lib/job';

/** A Hyperband job's rung budgets in epochs, ascending; empty for any other job (or one without a usable epochs range). */
export function jobRungs(job: JobDefinition): number[] {
  if (job.strategy !== 'hyperband') return [];
  try {
    const { min, max } = epochRange(job.parameters, {});
    return rungBudgets(min, max);
  } catch {
    return [];
  }
}

/** A rung as the charts name it: "rung 2 (3 epochs)". */
export function rungLabel(rung: number, budgets: readonly number[]): string {
  const epochs = budgets[rung];
  return `rung ${rung + 1}${epochs !== undefined ? ` (${epochs} epoch${epochs === 1 ? '' : 's'})` : ''}`;
}

/**
 * What a Hyperband job spent: the epochs its trials trained (their Epoch lines), and what a
 * search of as many full-budget runs as max jobs would have trained (max jobs × the largest budget).
 */
export function epochsSpent(
  job: JobDefinition,
  trials: readonly Pick<Trial, 'epochs' | 'status' | 'params' | 'rerunOf' | 'added'>[],
): { spent: number; fullSearch: number; fullRuns: number } | undefined {
  const budgets = jobRungs(job);
  if (budgets.length === 0) return undefined;
  const full = budgets[budgets.length - 1];
  return {
    spent: trials.reduce((sum, t) => sum + t.epochs.length, 0),
    fullSearch: job.maxJobs * full,
    fullRuns: fullBudgetRuns(trials, full),
  };
}

/**
 * The trials a best trial is chosen among: under Hyperband, those that ran the full budget once
 * any has completed (a short run's value is not comparable with a full one's); all trials otherwise.
 */
export function comparableTrials<T extends Pick<Trial, 'status' | 'params'>>(job: JobDefinition, trials: readonly T[]): readonly T[] {
  const budgets = jobRungs(job);
  if (budgets.length === 0) return trials;
  const full = trials.filter((t) => Number(t.params.epochs) === budgets[budgets.length - 1]);
  return full.some((t) => t.status === 'completed') ? full : trials;
}
