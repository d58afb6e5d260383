import type { Trial } from './types';

/**
 * Whether a trial came on top of max jobs: a re-run of a trial, or hyperparameters the user
 * added (Run next), both enqueued rather than proposed by the strategy. The runner's budget and
 * the page's counts both read this, so they cannot disagree.
 */
export function isExtraTrial(trial: Pick<Trial, 'rerunOf' | 'added'>): boolean {
  return trial.rerunOf !== undefined || trial.added === true;
}

/**
 * What max jobs counts under Hyperband: the strategy's trials completed at the full budget of
 * `fullEpochs` (re-runs and added trials come on top there too). The runner ends the job on it
 * and the page's summary shows it.
 */
export function fullBudgetRuns(trials: readonly Pick<Trial, 'status' | 'params' | 'rerunOf' | 'added'>[], fullEpochs: number): number {
  return trials.filter((t) => t.status === 'completed' && !isExtraTrial(t) && Number(t.params.epochs) === fullEpochs).length;
}

export interface TrialCounts {
  /** Trials the strategy proposed: what max jobs bounds (under Hyperband, its full-budget completions come from these). */
  searched: number;
  /** Trials with hyperparameters the user added. */
  added: number;
  /** Re-runs of a trial. */
  reruns: number;
}

export function trialCounts(trials: readonly Pick<Trial, 'rerunOf' | 'added'>[]): TrialCounts {
  const counts: TrialCounts = { searched: 0, added: 0, reruns: 0 };
  for (const trial of trials) {
    if (trial.rerunOf !== undefined) counts.reruns++;
    else if (trial.added === true) counts.added++;
    else counts.searched++;
  }
  return counts;
}
