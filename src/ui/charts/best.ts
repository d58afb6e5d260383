import type { Trial } from '../../lib/job';
import type { Goal } from '../../lib/tuner';

/**
 * The trials that count towards "best": completed ones with an objective. A trial stopped by the
 * rule reached its value on a shortened run, so it is plotted but never the best.
 */
const counts = (trial: Trial): boolean => trial.status === 'completed' && trial.objective !== undefined;

/** True when `a` is better than `b` in the goal's direction. */
export const isBetter = (a: number, b: number, goal: Goal): boolean => (goal === 'maximize' ? a > b : a < b);

/** The best completed trial; the first one on ties. */
export function bestTrial(trials: readonly Trial[], goal: Goal): Trial | undefined {
  let best: Trial | undefined;
  for (const trial of trials) if (counts(trial) && (!best || isBetter(trial.objective!, best.objective!, goal))) best = trial;
  return best;
}

/** One step of the best-so-far line: from `time` on, the best objective is `value` (reached by `trial`). */
export interface BestStep {
  time: number;
  value: number;
  trial: number;
}

/** The best objective over time, one step at each end time where it improved. */
export function bestSoFar(trials: readonly Trial[], goal: Goal): BestStep[] {
  const done = trials.filter((t) => counts(t) && t.endedAt !== undefined).sort((a, b) => a.endedAt! - b.endedAt! || a.number - b.number);
  const steps: BestStep[] = [];
  for (const trial of done) {
    const last = steps.at(-1);
    if (!last || isBetter(trial.objective!, last.value, goal)) steps.push({ time: trial.endedAt!, value: trial.objective!, trial: trial.number });
  }
  return steps;
}
