import type { JobDefinition } from '../config';
import { paramsError, type Params } from '../space';
import type { WarmStartObservation } from './runner';
import type { Trial } from './types';

/** SageMaker's limit on parent jobs of a warm start, which we keep: more parents rarely share a space. */
export const MAX_WARM_START_PARENTS = 5;

/** A kept or imported job offered as a parent: its definition and its trials. */
export interface WarmStartParent {
  name: string;
  job: Pick<JobDefinition, 'objective' | 'fixed'>;
  trials: Pick<Trial, 'status' | 'params' | 'objective' | 'resolved'>[];
}

export interface WarmStartPlan {
  observations: WarmStartObservation[];
  /** Per parent: how many trials it gave, and how many it left out for each reason. */
  parents: { name: string; used: number; notCompleted: number; missing: Record<string, number>; outOfRange: number }[];
  /** Parents refused whole, with the reason (another objective, or over the limit). */
  refused: { name: string; reason: string }[];
}

/**
 * The observations a new job starts from, taken from up to five parent jobs. A parent whose
 * objective is another metric or goal is refused: its values would be read the wrong way round.
 * Each completed trial is matched on the new job's searched names, looking in its own searched
 * values, then its job's fixed values, then the hyperparameters it resolved (its `Hyperparameters`
 * line), since a value the parent fixed was still the value it trained with. A trial that lacks a
 * name, or falls outside the new space, is left out and counted.
 */
export function planWarmStart(job: Pick<JobDefinition, 'objective' | 'parameters'>, parents: WarmStartParent[]): WarmStartPlan {
  const plan: WarmStartPlan = { observations: [], parents: [], refused: [] };
  parents.forEach((parent, index) => {
    if (index >= MAX_WARM_START_PARENTS) {
      plan.refused.push({ name: parent.name, reason: `A warm start takes at most ${MAX_WARM_START_PARENTS} parent jobs.` });
      return;
    }
    const theirs = parent.job.objective;
    if (theirs.metric !== job.objective.metric || theirs.goal !== job.objective.goal) {
      plan.refused.push({
        name: parent.name,
        reason: `Its objective is to ${theirs.goal} ${theirs.metric}; this job's is to ${job.objective.goal} ${job.objective.metric}.`,
      });
      return;
    }
    const tally = { name: parent.name, used: 0, notCompleted: 0, missing: {} as Record<string, number>, outOfRange: 0 };
    for (const trial of parent.trials) {
      if (trial.status !== 'completed' || trial.objective === undefined || !Number.isFinite(trial.objective)) {
        tally.notCompleted++;
        continue;
      }
      const params: Params = {};
      const lacking = Object.keys(job.parameters).find((name) => {
        const value = trial.params[name] ?? parent.job.fixed[name] ?? trial.resolved?.[name];
        if (typeof value !== 'number' && typeof value !== 'string') return true;
        params[name] = value;
        return false;
      });
      if (lacking !== undefined) tally.missing[lacking] = (tally.missing[lacking] ?? 0) + 1;
      else if (paramsError(job.parameters, params) !== null) tally.outOfRange++;
      else {
        plan.observations.push({ params, value: trial.objective });
        tally.used++;
      }
    }
    plan.parents.push(tally);
  });
  return plan;
}

/** One line per parent for the page: "job A: 12 trials (3 lack epochs, 2 out of range, 1 not completed)". */
export function describeWarmStart(plan: WarmStartPlan): string[] {
  const lines = plan.parents.map(({ name, used, notCompleted, missing, outOfRange }) => {
    const left = [
      ...Object.entries(missing).map(([param, count]) => `${count} lack ${param}`),
      ...(outOfRange ? [`${outOfRange} outside this search space`] : []),
      ...(notCompleted ? [`${notCompleted} not completed`] : []),
    ];
    return `${name}: ${used} trial${used === 1 ? '' : 's'}${left.length ? ` (left out: ${left.join(', ')})` : ''}`;
  });
  return [...lines, ...plan.refused.map(({ name, reason }) => `${name}: refused. ${reason}`)];
}
