import type { Trial } from '../../lib/job';
import { paramsKey, type Params, type SearchSpace } from '../../lib/space';
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

/** The completed runs of one configuration (a trial and its re-runs), oldest first, and their mean objective. */
export interface ConfigurationRuns {
  trials: Trial[];
  mean: number;
}

/**
 * Every completed run of `params` in `space` (re-runs included, matched by value as the tuner
 * keys points); undefined when none has completed.
 */
export function configurationRuns(trials: readonly Trial[], space: SearchSpace, params: Params): ConfigurationRuns | undefined {
  const key = paramsKey(space, params);
  const runs = trials.filter((t) => counts(t) && paramsKey(space, t.params) === key).sort((a, b) => a.number - b.number);
  if (runs.length === 0) return undefined;
  return { trials: runs, mean: runs.reduce((sum, t) => sum + t.objective!, 0) / runs.length };
}

/** For each completed trial whose configuration has run more than once, that configuration's runs, by trial number. */
export function repeatedConfigurations(trials: readonly Trial[], space: SearchSpace): Map<number, ConfigurationRuns> {
  const groups = new Map<string, Trial[]>();
  for (const t of trials) {
    if (!counts(t)) continue;
    const key = paramsKey(space, t.params);
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  const byTrial = new Map<number, ConfigurationRuns>();
  for (const runs of groups.values()) {
    if (runs.length < 2) continue;
    runs.sort((a, b) => a.number - b.number);
    const group = { trials: runs, mean: runs.reduce((sum, t) => sum + t.objective!, 0) / runs.length };
    for (const t of runs) byTrial.set(t.number, group);
  }
  return byTrial;
}
