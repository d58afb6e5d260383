import { isFinishedTrial, type Trial } from '../../lib/job';
import type { Goal } from '../../lib/tuner';
import { isBetter } from './best';

/** One point of a job's best-so-far curve: after its `finished`-th finished trial, the best objective was `best`. */
export interface ComparePoint {
  finished: number;
  best: number;
}

/**
 * A job's best objective against the number of its trials finished, in the order they ended: two
 * jobs run at different times and speeds compare on trials spent, not on the clock. Points start
 * at the first completed trial; a finished trial without a value (failed, stopped) still spends one.
 */
export function bestSoFarByTrials(trials: readonly Trial[], goal: Goal): ComparePoint[] {
  const finished = trials
    .filter((t) => isFinishedTrial(t.status))
    .sort((a, b) => (a.endedAt ?? 0) - (b.endedAt ?? 0) || a.number - b.number);
  const points: ComparePoint[] = [];
  let best: number | undefined;
  finished.forEach((trial, index) => {
    if (trial.status === 'completed' && trial.objective !== undefined && (best === undefined || isBetter(trial.objective, best, goal))) best = trial.objective;
    if (best !== undefined) points.push({ finished: index + 1, best });
  });
  return points;
}
