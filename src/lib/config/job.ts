import { compileMetricRegex, DEFAULT_METRIC, type MetricDefinition } from '../metrics';
import { validateSpace, type CategoryValue, type FieldError, type SearchSpace } from '../space';
import { STRATEGIES, type Goal, type StrategyName } from '../tuner/types';
import { DEFAULT_ETA, epochRange, rungBudgets } from '../tuner/rungs';
import { quickDemoJob } from './presets';
import { JOB_VERSION, MAX_RETRIES } from './constants';
import { checkTraining } from './training';
import { RECIPE_VERSION } from '../recipe/hyperparameters';
import { natsServerError } from './nats-server';

export type EarlyStopping = 'off' | 'auto';

/**
 * When a job ends before max jobs, as SageMaker's `TuningJobCompletionCriteria` and
 * `MaxRuntimeInSeconds`. Every criterion is optional; none means the job runs to max jobs.
 */
export interface CompletionCriteria {
  /** The job ends once a trial's objective reaches this value (≥ when maximizing, ≤ when minimizing). */
  targetObjective?: number;
  /** The job ends after this many finished trials in a row without a new best objective. */
  trialsWithoutImprovement?: number;
  /** Running time the job may spend, in seconds: time while it runs, summed across resumes. */
  maxRuntimeSeconds?: number;
}



/** The job definition: shared in links, exported, and read by the CLI (see the design card). */
export interface JobDefinition {
  version: number;
  /**
   * The engine recipe (defaults and rules of `recipe/hyperparameters.ts`) the job's training
   * values are read under: a later change to a default must not silently change what a kept or
   * shared job meant. Absent in a job from before it was recorded, which then reads as version 1.
   */
  recipeVersion?: number;
  objective: { metric: string; goal: Goal };
  metricDefinitions: MetricDefinition[];
  parameters: SearchSpace;
  /** Hyperparameters every trial gets unchanged, merged under the searched ones. */
  fixed: Record<string, CategoryValue | boolean>;
  strategy: StrategyName;
  maxJobs: number;
  maxParallelJobs: number;
  earlyStopping: EarlyStopping;
  seed: number;
  /** Empty: the job runs to max jobs. */
  completion: CompletionCriteria;
  /** Attempts after the first for a trial whose worker crashed or lost its GPU device. */
  retries: number;
  /**
   * A NATS server's WebSocket URL (`ws://` or `wss://`): trials go to its workers through JetStream
   * instead of this tab's worker pool. Absent: the in-page pool. Never holds credentials.
   */
  natsServer?: string;
}

/** The job the page opens with: the Quick demo preset. */
export function defaultJob(): JobDefinition {
  return quickDemoJob();
}

/**
 * Checks a job definition from any source. Errors carry the path of the field at fault;
 * the returned job is only meaningful when there are none.
 */
export function validateJob(raw: unknown): { job: JobDefinition; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const input = (typeof raw === 'object' && raw !== null ? raw : {}) as Partial<Record<keyof JobDefinition, unknown>>;
  const job = defaultJob();

  if (input.version !== undefined) {
    if (typeof input.version !== 'number' || input.version > JOB_VERSION) {
      errors.push({ path: 'version', message: `This job was made by a newer TabTune (version ${String(input.version)}); this page reads version ${JOB_VERSION}.` });
    }
  }

  if (input.recipeVersion !== undefined) {
    if (input.recipeVersion !== RECIPE_VERSION) {
      errors.push({
        path: 'recipeVersion',
        message: `This job's training values were set under recipe version ${String(input.recipeVersion)}; this page trains with recipe version ${RECIPE_VERSION}, whose defaults differ.`,
      });
    }
  }

  const { space, errors: spaceErrors } = validateSpace(input.parameters ?? job.parameters);
  job.parameters = space;
  errors.push(...spaceErrors);

  job.maxJobs = readCount(input.maxJobs ?? job.maxJobs, 'maxJobs', 'Max jobs', errors);
  job.maxParallelJobs = readCount(input.maxParallelJobs ?? job.maxParallelJobs, 'maxParallelJobs', 'Max parallel jobs', errors);
  if (job.maxParallelJobs > job.maxJobs && !errors.some((e) => e.path.startsWith('max'))) {
    errors.push({ path: 'maxParallelJobs', message: `Max parallel jobs (${job.maxParallelJobs}) cannot exceed max jobs (${job.maxJobs}).` });
  }

  const seed = Number(input.seed ?? job.seed);
  if (!Number.isInteger(seed) || seed < 0) errors.push({ path: 'seed', message: 'The seed must be a whole number ≥ 0.' });
  else job.seed = seed;

  const strategy = input.strategy ?? job.strategy;
  if (!STRATEGIES.includes(strategy as StrategyName)) {
    errors.push({ path: 'strategy', message: `The strategy must be one of ${STRATEGIES.join(', ')}.` });
  } else job.strategy = strategy as StrategyName;

  if (job.strategy === 'hyperband' && spaceErrors.length === 0) {
    const problem = hyperbandProblem(job.parameters);
    if (problem) errors.push({ path: 'strategy', message: problem });
  }

  const earlyStopping = input.earlyStopping ?? job.earlyStopping;
  if (earlyStopping !== 'off' && earlyStopping !== 'auto') errors.push({ path: 'earlyStopping', message: 'Early stopping must be off or auto.' });
  else job.earlyStopping = earlyStopping;

  job.completion = readCompletion(input.completion ?? job.completion, errors);
  if (input.retries !== undefined) {
    const retries = typeof input.retries === 'string' && input.retries.trim() !== '' ? Number(input.retries) : input.retries;
    if (typeof retries !== 'number' || !Number.isInteger(retries) || retries < 0 || retries > MAX_RETRIES) {
      errors.push({ path: 'retries', message: `Retries must be a whole number from 0 to ${MAX_RETRIES}.` });
    } else job.retries = retries;
  }

  if (typeof input.natsServer === 'string' && input.natsServer.trim() !== '') {
    const error = natsServerError(input.natsServer.trim());
    if (error) errors.push({ path: 'natsServer', message: error });
    else job.natsServer = input.natsServer.trim();
  } else if (input.natsServer !== undefined && typeof input.natsServer !== 'string') {
    errors.push({ path: 'natsServer', message: 'The NATS server must be a ws:// or wss:// URL.' });
  }

  job.metricDefinitions = readMetricDefinitions(input.metricDefinitions ?? job.metricDefinitions, errors);
  job.objective = readObjective(input.objective ?? job.objective, job.metricDefinitions, errors);

  if (input.fixed !== undefined) {
    if (typeof input.fixed !== 'object' || input.fixed === null || Array.isArray(input.fixed)) {
      errors.push({ path: 'fixed', message: 'Fixed hyperparameters must be an object of name to value.' });
    } else job.fixed = input.fixed as JobDefinition['fixed'];
  }
  const both = Object.keys(job.fixed).filter((name) => name in job.parameters);
  for (const name of both) errors.push({ path: `fixed.${name}`, message: `"${name}" is both searched and fixed; keep one.` });
  if (both.length === 0) errors.push(...checkTraining(job.fixed, job.parameters));
  return { job, errors };
}

/**
 * Each criterion may be absent, a number, or text from a form field (empty text is absent).
 * A value that is not usable is an error on its own path, and the criterion is left out.
 */
function readCompletion(value: unknown, errors: FieldError[]): CompletionCriteria {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    errors.push({ path: 'completion', message: 'Completion criteria must be an object.' });
    return {};
  }
  const input = value as Record<string, unknown>;
  const completion: CompletionCriteria = {};
  const read = (key: keyof CompletionCriteria, ok: (n: number) => boolean, rule: string) => {
    const raw = input[key];
    if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return;
    const number = typeof raw === 'string' ? Number(raw) : raw;
    if (typeof number !== 'number' || !Number.isFinite(number) || !ok(number)) errors.push({ path: `completion.${key}`, message: rule });
    else completion[key] = number;
  };
  read('targetObjective', () => true, 'The target objective must be a number.');
  read('trialsWithoutImprovement', (n) => Number.isInteger(n) && n >= 1, 'Trials without improvement must be a whole number ≥ 1.');
  read('maxRuntimeSeconds', (n) => n > 0, 'The time budget must be a number of seconds > 0.');
  for (const key of Object.keys(input)) {
    if (!['targetObjective', 'trialsWithoutImprovement', 'maxRuntimeSeconds'].includes(key)) errors.push({ path: `completion.${key}`, message: `Unknown completion criterion "${key}".` });
  }
  return completion;
}

function readCount(value: unknown, path: string, label: string, errors: FieldError[]): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 1) {
    errors.push({ path, message: `${label} must be a whole number ≥ 1.` });
    return 1;
  }
  return number;
}

function readMetricDefinitions(value: unknown, errors: FieldError[]): MetricDefinition[] {
  if (!Array.isArray(value) || value.length === 0) {
    errors.push({ path: 'metricDefinitions', message: 'Define at least one metric.' });
    return [];
  }
  const names = new Set<string>();
  return value.map((definition: unknown, i) => {
    const { name, regex } = (definition ?? {}) as Partial<MetricDefinition>;
    if (typeof name !== 'string' || !name.trim()) errors.push({ path: `metricDefinitions.${i}.name`, message: 'A metric needs a name.' });
    else if (names.has(name)) errors.push({ path: `metricDefinitions.${i}.name`, message: `The metric "${name}" is defined twice.` });
    names.add(String(name));
    const compiled = compileMetricRegex(typeof regex === 'string' ? regex : '');
    if ('error' in compiled) errors.push({ path: `metricDefinitions.${i}.regex`, message: compiled.error });
    return { name: String(name ?? ''), regex: String(regex ?? '') };
  });
}

function readObjective(value: unknown, metrics: MetricDefinition[], errors: FieldError[]): JobDefinition['objective'] {
  const { metric, goal } = (value ?? {}) as Partial<JobDefinition['objective']>;
  if (goal !== 'minimize' && goal !== 'maximize') errors.push({ path: 'objective.goal', message: 'The goal must be minimize or maximize.' });
  if (typeof metric !== 'string' || !metrics.some((m) => m.name === metric)) {
    errors.push({ path: 'objective.metric', message: 'The objective must name one of the defined metrics.' });
  }
  return { metric: String(metric ?? ''), goal: goal === 'minimize' ? 'minimize' : 'maximize' };
}

/** Why a space cannot run under Hyperband (its budget is the searched `epochs` range, with at least two rungs), or null. */
function hyperbandProblem(space: SearchSpace): string | null {
  if (!space.epochs) return 'Hyperband spends epochs as its budget: search "epochs" as an integer range (for example 1 to 27).';
  try {
    const { min, max } = epochRange(space, {});
    if (rungBudgets(min, max).length < 2) return `Hyperband needs epochs to span at least a factor of ${DEFAULT_ETA} (η) for two rungs; the range is ${min} to ${max}.`;
  } catch (error) {
    return (error as Error).message;
  }
  return null;
}
