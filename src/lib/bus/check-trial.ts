import { validateJob } from '../config';
import { readTrainConfig } from '../recipe/hyperparameters';
import { paramsError, type Params } from '../space';
import { describeDataset, type DatasetRef, type JobRecord, type TrialMessage } from './messages';

/**
 * Why a worker refuses a trial spec, or null when it may train it. A spec is data from the
 * network: it must belong to the job the worker joined, use that job's data set and fixed values,
 * keep each searched value inside the job's space, and pass the engine's own rules. Anything else
 * is refused with this reason, never trained.
 */
export function trialRefusal(joined: string, record: JobRecord, trial: TrialMessage): string | null {
  if (trial.job !== joined || record.job !== joined) return `This worker serves job ${joined}; the trial belongs to job ${trial.job}.`;
  const { job, errors } = validateJob(record.definition);
  if (errors.length > 0) return `The job definition on the server is not valid: ${errors[0].path}: ${errors[0].message}`;
  const dataName = trial.hyperparameters.data ?? 'synthetic';
  if (dataName !== trial.dataset.name) return `The trial trains on data=${String(dataName)} but names ${describeDataset(trial.dataset)}.`;
  if (!sameDataset(trial.dataset, record.dataset)) return `The trial asks for ${describeDataset(trial.dataset)}; job ${joined} trains on ${describeDataset(record.dataset)}.`;
  const searched: Params = {};
  for (const [name, value] of Object.entries(trial.hyperparameters)) {
    if (name in job.parameters) searched[name] = value as Params[string];
    else if (!(name in job.fixed)) return `The trial sets "${name}", which job ${joined} neither searches nor fixes.`;
    else if (job.fixed[name] !== value) return `The trial sets ${name} = ${JSON.stringify(value)}; job ${joined} fixes it at ${JSON.stringify(job.fixed[name])}.`;
  }
  const missing = Object.keys(job.fixed).filter((name) => !(name in trial.hyperparameters));
  if (missing.length > 0) return `The trial leaves out the job's fixed ${missing.join(', ')}.`;
  const outside = paramsError(job.parameters, searched);
  if (outside) return `The trial's hyperparameters are outside job ${joined}'s search space: ${outside}`;
  try {
    readTrainConfig(trial.hyperparameters);
  } catch (error) {
    return `The engine refuses the trial's hyperparameters: ${(error as Error).message}`;
  }
  return null;
}

export function sameDataset(a: DatasetRef, b: DatasetRef): boolean {
  return a.name === b.name && (a.name === 'synthetic' || a.sha256 === (b as { sha256: string }).sha256);
}
