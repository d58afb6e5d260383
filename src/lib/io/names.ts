import { HYPERPARAMETER_NAMES, TEST_ONLY } from '../recipe/hyperparameters';
import { suggestName } from '../recipe/names';
import type { Params } from '../space';
import type { ImportResult, UnknownName } from './types';

/** The engine hyperparameters an imported name may be mapped to (the test-only knobs are not offered). */
export const ENGINE_NAMES: readonly string[] = HYPERPARAMETER_NAMES.filter((name) => !TEST_ONLY.has(name));

export function isEngineName(name: string): boolean {
  return HYPERPARAMETER_NAMES.includes(name);
}

/**
 * Keys the SageMaker Python SDK and the training platform add to a job's hyperparameters for
 * themselves (`sagemaker_program`, `sagemaker_submit_directory`, `_tuning_objective_metric`, …):
 * they tell a container what to run, and mean nothing to TabTune's engine.
 */
export function isSageMakerKey(name: string): boolean {
  return name.startsWith('sagemaker_') || name.startsWith('_');
}

/** An unknown name with the engine hyperparameter it most likely means. */
export function unknownName(name: string, where: UnknownName['where'], extra: Pick<UnknownName, 'parameter' | 'value'> = {}): UnknownName {
  const suggestion = suggestName(name, ENGINE_NAMES);
  return { name, where, ...(suggestion ? { suggestion } : {}), ...extra };
}

/**
 * Renames the unknown names of an import: `mapping` gives, for an unknown name, the engine
 * hyperparameter it stands for, or '' to leave it out on purpose (it is then listed as ignored).
 * A searched name's range joins the job's parameters and a fixed one's value its fixed values;
 * in trials the name is renamed in each trial's hyperparameters and warm-start observation. A
 * name mapped to one the job already has, or to no engine hyperparameter, stays unknown with a
 * notice. Names not in `mapping` stay as they were. Returns a new result; the input is unchanged.
 */
export function applyNameMapping<R extends ImportResult>(result: R, mapping: Record<string, string>): R {
  const next = structuredClone(result) as ImportResult;
  if (next.kind === 'error' || next.kind === 'tabtune') return result;
  const report = next.report;
  const remaining: UnknownName[] = [];
  for (const unknown of report.unknownNames) {
    const target = mapping[unknown.name]?.trim();
    if (target === undefined) {
      remaining.push(unknown);
      continue;
    }
    if (target === '') {
      report.ignored.push(`${unknown.name} (left out)`);
      continue;
    }
    if (!ENGINE_NAMES.includes(target)) {
      report.notices.push(`"${target}" is not an engine hyperparameter; ${unknown.name} was not mapped.`);
      remaining.push(unknown);
      continue;
    }
    if (next.kind === 'sagemaker-job') {
      const job = next.job;
      if (target in job.parameters || target in job.fixed) {
        report.notices.push(`${unknown.name} was not mapped: the job already ${target in job.parameters ? 'searches' : 'fixes'} ${target}.`);
        remaining.push(unknown);
        continue;
      }
      if (unknown.where === 'search' && unknown.parameter) job.parameters[target] = unknown.parameter;
      else if (unknown.where === 'fixed' && unknown.value !== undefined) job.fixed[target] = unknown.value;
    } else {
      if (next.trials.some((trial) => target in trial.params)) {
        report.notices.push(`${unknown.name} was not mapped: the trials already have ${target}.`);
        remaining.push(unknown);
        continue;
      }
      for (const trial of next.trials) trial.params = rename(trial.params, unknown.name, target);
      for (const observation of next.observations) observation.params = rename(observation.params, unknown.name, target);
    }
  }
  report.unknownNames = remaining;
  return next as R;
}

/** The same params with one key renamed, in the same place. */
function rename(params: Params, from: string, to: string): Params {
  return Object.fromEntries(Object.entries(params).map(([key, value]) => [key === from ? to : key, value]));
}
