import type { JobDefinition } from '../../lib/config';
import { JOB_VERSION, sameValues, validateJob } from '../../lib/config';
import { duplicateNames, parseCategory, parseFixedValue, type CategoryValue, type ParameterType, type Scale } from '../../lib/space';
import type { TypedJob, TypedSettings } from '../../lib/config/link';

/** The job form as the user types it: text fields stay text until validated. */
export interface ParamRow {
  key: number;
  name: string;
  type: ParameterType;
  min: string;
  max: string;
  scale: Scale;
  /** Comma-separated categorical values. */
  values: string;
}

/**
 * The form as typed. Its `training` holds model and data always, then only what a preset or the
 * user changed (the rest follow the model's recipe); test-only knobs from a job's JSON (`fault`)
 * are kept there too, though no control shows them.
 */
export interface JobFormData extends TypedSettings {
  rows: ParamRow[];
  /** SageMaker's metric definitions: a name and a regex whose first group is the number. */
  metrics: MetricRow[];
  /** The row whose metric is the objective (by key, so a rename keeps it). */
  objectiveKey: number;
}

export interface MetricRow {
  key: number;
  name: string;
  regex: string;
}

let nextKey = 1;
export const newKey = (): number => nextKey++;

export function jobToForm(job: JobDefinition): JobFormData {
  return {
    rows: Object.entries(job.parameters).map(([name, p]) => ({
      key: newKey(),
      name,
      type: p.type,
      min: p.type === 'categorical' ? '' : String(p.min),
      max: p.type === 'categorical' ? '' : String(p.max),
      scale: p.type === 'categorical' ? 'auto' : (p.scale ?? 'auto'),
      values: p.type === 'categorical' ? p.values.join(', ') : '',
    })),
    training: Object.fromEntries(Object.entries(job.fixed).map(([name, value]) => [name, String(value)])),
    maxJobs: String(job.maxJobs),
    maxParallelJobs: String(job.maxParallelJobs),
    strategy: job.strategy,
    earlyStopping: job.earlyStopping,
    seed: String(job.seed),
    targetObjective: String(job.completion.targetObjective ?? ''),
    trialsWithoutImprovement: String(job.completion.trialsWithoutImprovement ?? ''),
    maxRuntimeSeconds: String(job.completion.maxRuntimeSeconds ?? ''),
    retries: String(job.retries),
    natsServer: job.natsServer ?? '',
    ...metricsToForm(job),
    goal: job.objective.goal,
  };
}

function metricsToForm(job: JobDefinition): Pick<JobFormData, 'metrics' | 'objectiveKey'> {
  const metrics = job.metricDefinitions.map((m) => ({ key: newKey(), name: m.name, regex: m.regex }));
  const objective = metrics.find((m) => m.name === job.objective.metric) ?? metrics[0];
  return { metrics, objectiveKey: objective?.key ?? -1 };
}

/**
 * Turns the form into a job definition and its errors, each keyed by the form field it belongs to:
 * `param.<rowKey>.<field>`, `fixed.<name>`, `metric.<rowKey>.name|regex`, `objective.metric`, or a job field name.
 */
export function formToJob(form: JobFormData): { job: JobDefinition; errors: Map<string, string> } {
  const errors = new Map<string, string>();
  const addError = (field: string, message: string) => {
    if (!errors.has(field)) errors.set(field, message);
  };

  const parameters: Record<string, unknown> = {};
  const rowByName = new Map<string, ParamRow>();
  const duplicates = duplicateNames(form.rows.map((r) => r.name));
  for (const row of form.rows) {
    const name = row.name.trim();
    if (rowByName.has(name)) {
      addError(`param.${row.key}.name`, `The name "${name}" is used twice.`);
      continue;
    }
    if (!name) {
      addError(`param.${row.key}.name`, 'A parameter needs a name.');
      continue;
    }
    rowByName.set(name, row);
    parameters[name] =
      row.type === 'categorical'
        ? { type: 'categorical', values: row.values.split(',').map(parseCategory) }
        : { type: row.type, min: row.min, max: row.max, scale: row.scale };
  }
  for (const name of duplicates) addError(`param.${rowByName.get(name)?.key}.name`, `The name "${name}" is used twice.`);

  // A searched hyperparameter's fixed value is kept in the form (fixing it again restores it) but not sent.
  const fixed: Record<string, CategoryValue | boolean> = {};
  for (const [name, value] of Object.entries(form.training)) if (!rowByName.has(name)) fixed[name] = parseFixedValue(value);

  const { job, errors: jobErrors } = validateJob({
    version: JOB_VERSION,
    objective: { metric: form.metrics.find((m) => m.key === form.objectiveKey)?.name.trim() ?? '', goal: form.goal },
    metricDefinitions: form.metrics.map((m) => ({ name: m.name.trim(), regex: m.regex })),
    parameters,
    fixed,
    strategy: form.strategy,
    maxJobs: form.maxJobs,
    maxParallelJobs: form.maxParallelJobs,
    earlyStopping: form.earlyStopping,
    seed: form.seed,
    completion: { targetObjective: form.targetObjective, trialsWithoutImprovement: form.trialsWithoutImprovement, maxRuntimeSeconds: form.maxRuntimeSeconds },
    retries: form.retries,
    natsServer: form.natsServer,
  });
  for (const { path, message } of jobErrors) addError(fieldFor(path, rowByName, form.metrics), message);
  return { job, errors };
}

function fieldFor(path: string, rows: Map<string, ParamRow>, metrics: MetricRow[]): string {
  const [head, name, field] = path.split('.');
  if (head === 'parameters' && name !== undefined) {
    const row = rows.get(name);
    return row ? `param.${row.key}.${field ?? 'name'}` : 'parameters';
  }
  if (head === 'fixed' && name !== undefined) return `fixed.${name}`;
  if (head === 'metricDefinitions') {
    const row = name === undefined ? undefined : metrics[Number(name)];
    return row ? `metric.${row.key}.${field === 'regex' ? 'regex' : 'name'}` : 'metricDefinitions';
  }
  if (head === 'completion' && name !== undefined) return `completion.${name}`;
  if (head === 'objective') return name === 'goal' ? 'goal' : 'objective.metric';
  return head;
}

/** Whether two job definitions hold the same values, whatever the order of their keys. */
export function sameJob(a: JobDefinition, b: JobDefinition): boolean {
  return sameValues(a, b);
}

/** The form as a share link holds it: every field as typed, without the row keys (the objective by its row's index). */
export function formToTyped(form: JobFormData): TypedJob {
  return {
    parameters: form.rows.map(({ name, type, min, max, scale, values }) => ({ name, type, min, max, scale, values })),
    training: { ...form.training },
    maxJobs: form.maxJobs,
    maxParallelJobs: form.maxParallelJobs,
    strategy: form.strategy,
    earlyStopping: form.earlyStopping,
    seed: form.seed,
    targetObjective: form.targetObjective,
    trialsWithoutImprovement: form.trialsWithoutImprovement,
    maxRuntimeSeconds: form.maxRuntimeSeconds,
    retries: form.retries,
    natsServer: form.natsServer,
    metrics: form.metrics.map(({ name, regex }) => ({ name, regex })),
    objective: form.metrics.findIndex((m) => m.key === form.objectiveKey),
    goal: form.goal,
  };
}

/** The form a share link describes, with new row keys. */
export function typedToForm(typed: TypedJob): JobFormData {
  const metrics = typed.metrics.map(({ name, regex }) => ({ key: newKey(), name, regex }));
  return {
    rows: typed.parameters.map(({ name, type, min, max, scale, values }) => ({ key: newKey(), name, type, min, max, scale, values })),
    training: { ...typed.training },
    maxJobs: typed.maxJobs,
    maxParallelJobs: typed.maxParallelJobs,
    strategy: typed.strategy,
    earlyStopping: typed.earlyStopping,
    seed: typed.seed,
    targetObjective: typed.targetObjective,
    trialsWithoutImprovement: typed.trialsWithoutImprovement,
    maxRuntimeSeconds: typed.maxRuntimeSeconds,
    retries: typed.retries,
    natsServer: typed.natsServer,
    metrics,
    objectiveKey: metrics[typed.objective]?.key ?? -1,
    goal: typed.goal,
  };
}
