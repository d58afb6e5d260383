import { DEFAULT_RETRIES, JOB_VERSION, MAX_RETRIES } from '../config/constants';
import { defaultJob, validateJob, type JobDefinition } from '../config/job';
import type { WarmStartObservation } from '../job/runner';
import type { Trial } from '../job/types';
import { DEFAULT_METRIC, type MetricDefinition } from '../metrics';
import { RECIPE_VERSION } from '../recipe/hyperparameters';
import { parseCategory, parseFixedValue, type Parameter, type Params, type Scale } from '../space';
import type { StrategyName } from '../tuner/types';
import { isEngineName, isSageMakerKey, unknownName } from './names';
import { isRecord, unquote } from './quoting';
import { emptyReport, type ImportReport, type ImportResult, type SageMakerSource, type SkippedCount } from './types';

/*
 * Readers of the SageMaker API's JSON (the shapes of the CreateHyperParameterTuningJob request,
 * the DescribeHyperParameterTuningJob and ListTrainingJobsForHyperParameterTuningJob responses, as
 * `aws sagemaker …` prints them). docs/IMPORT.md lists what maps to what.
 */

const SCALING: Record<string, Scale> = { Auto: 'auto', Linear: 'linear', Logarithmic: 'log', ReverseLogarithmic: 'reverse-log' };
const STRATEGIES: Record<string, StrategyName> = { Bayesian: 'bayesian', Random: 'random', Grid: 'grid' };

/** A tuning job's settings that belong to the cloud (who runs it, where its data and results live). */
const CLOUD_KEYS = new Set([
  'RoleArn', 'InputDataConfig', 'OutputDataConfig', 'ResourceConfig', 'HyperParameterTuningResourceConfig', 'VpcConfig',
  'EnableNetworkIsolation', 'EnableInterContainerTrafficEncryption', 'EnableManagedSpotTraining', 'CheckpointConfig', 'Environment',
]);

/** A tuning job's own record in a Describe response: status, times, counters, ARNs. */
const DESCRIBE_KEYS = new Set([
  'HyperParameterTuningJobArn', 'HyperParameterTuningJobStatus', 'CreationTime', 'HyperParameterTuningEndTime', 'LastModifiedTime',
  'TrainingJobStatusCounters', 'ObjectiveStatusCounters', 'BestTrainingJob', 'OverallBestTrainingJob', 'FailureReason',
  'TuningJobCompletionDetails', 'ConsumedResources', 'ResponseMetadata', 'Tags',
]);

/** Collects the report; `ignored` entries are listed once each, however often the key appears. */
class Reporter {
  readonly report: ImportReport = emptyReport();
  private readonly ignoredSet = new Set<string>();
  private readonly unknownSet = new Set<string>();

  ignore(entry: string): void {
    if (this.ignoredSet.has(entry)) return;
    this.ignoredSet.add(entry);
    this.report.ignored.push(entry);
  }

  unknown(...args: Parameters<typeof unknownName>): void {
    const key = `${args[1]}\u0000${args[0]}`;
    if (this.unknownSet.has(key)) return;
    this.unknownSet.add(key);
    this.report.unknownNames.push(unknownName(...args));
  }
}

/** A number from the API's string form ("0.001") or a number; undefined when it is neither. */
function number(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/**
 * A SageMaker tuning job as a TabTune job definition: `HyperParameterTuningJobConfig` on its own,
 * a `CreateHyperParameterTuningJob` request, or a `DescribeHyperParameterTuningJob` response.
 * Never throws; what has no equivalent is in the report.
 */
export function readTuningJob(file: Record<string, unknown>, source: SageMakerSource): ImportResult {
  // A config may come on its own or under its key, as in a request without a training definition.
  const config = source === 'HyperParameterTuningJobConfig' && !isRecord(file.HyperParameterTuningJobConfig) ? file : file.HyperParameterTuningJobConfig;
  if (!isRecord(config)) return { kind: 'error', message: 'HyperParameterTuningJobConfig must be an object.' };
  const r = new Reporter();
  const { notices, unsupported } = r.report;
  const defaults = defaultJob();
  const job: JobDefinition = {
    version: JOB_VERSION,
    recipeVersion: RECIPE_VERSION,
    objective: defaults.objective,
    metricDefinitions: [],
    parameters: {},
    fixed: {},
    strategy: 'bayesian',
    maxJobs: defaults.maxJobs,
    maxParallelJobs: defaults.maxParallelJobs,
    earlyStopping: 'off',
    seed: defaults.seed,
    completion: {},
    retries: DEFAULT_RETRIES,
  };

  let name: string | undefined;
  let definition: Record<string, unknown> | undefined;
  let hyperbandConfig: Record<string, unknown> | undefined;
  if (source !== 'HyperParameterTuningJobConfig') {
    if (typeof file.HyperParameterTuningJobName === 'string') name = file.HyperParameterTuningJobName;
    definition = readTopLevel(file, r);
  }

  for (const [key, value] of Object.entries(config)) {
    switch (key) {
      case 'Strategy':
        if (value === 'Hyperband') job.strategy = 'hyperband';
        else if (typeof value === 'string' && STRATEGIES[value]) job.strategy = STRATEGIES[value];
        else notices.push(`Strategy ${JSON.stringify(value)} is not one SageMaker names; the job uses Bayesian search.`);
        break;
      case 'StrategyConfig':
        // Read once the ranges and static values are: the resource range may become the epochs range.
        if (isRecord(value) && isRecord(value.HyperbandStrategyConfig)) hyperbandConfig = value.HyperbandStrategyConfig;
        else unsupported.push(`StrategyConfig (${isRecord(value) ? Object.keys(value).join(', ') : String(value)})`);
        break;
      case 'HyperParameterTuningJobObjective':
        readObjective(value, job, notices);
        break;
      case 'ResourceLimits':
        readResourceLimits(value, job, r);
        break;
      case 'ParameterRanges':
        readRanges(value, job, r);
        break;
      case 'TrainingJobEarlyStoppingType':
        if (value === 'Auto') job.earlyStopping = 'auto';
        else if (value !== 'Off') notices.push(`TrainingJobEarlyStoppingType ${JSON.stringify(value)} is neither Off nor Auto; early stopping is off.`);
        break;
      case 'TuningJobCompletionCriteria':
        readCompletion(value, job, r);
        break;
      case 'RandomSeed': {
        const seed = number(value);
        if (seed !== undefined && Number.isInteger(seed) && seed >= 0) job.seed = seed;
        else notices.push(`RandomSeed ${JSON.stringify(value)} is not a whole number ≥ 0; the seed is ${job.seed}.`);
        break;
      }
      default:
        unsupported.push(`HyperParameterTuningJobConfig.${key}`);
    }
  }

  if (definition) readTrainingDefinition(definition, job, r, { ranges: !('ParameterRanges' in config), objective: !('HyperParameterTuningJobObjective' in config) });
  if (hyperbandConfig) readHyperbandConfig(hyperbandConfig, job, notices);
  if (!('HyperParameterTuningJobObjective' in config) && !definition?.TuningObjective) {
    notices.push(`The file has no objective: the job maximizes ${job.objective.metric}.`);
  }
  if (!isRecord(config.ResourceLimits) || config.ResourceLimits.MaxNumberOfTrainingJobs === undefined) {
    notices.push(`The file sets no MaxNumberOfTrainingJobs: the job runs ${job.maxJobs} trials.`);
  }
  ensureObjectiveMetric(job, notices);
  if (job.fixed.model === undefined) notices.push(`The file sets no model: trials train ${String(defaults.fixed.model)} on the ${String(defaults.fixed.data)} set unless you choose otherwise in Training.`);
  for (const error of validateJob(job).errors) notices.push(`To fix: ${error.path}: ${error.message}`);
  return { kind: 'sagemaker-job', source, ...(name ? { name } : {}), job, report: r.report };
}

/** The request's or response's own keys: the training definition to read, the rest listed. */
function readTopLevel(file: Record<string, unknown>, r: Reporter): Record<string, unknown> | undefined {
  let definition: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(file)) {
    if (key === 'HyperParameterTuningJobConfig' || key === 'HyperParameterTuningJobName') continue;
    if (key === 'TrainingJobDefinition') {
      if (isRecord(value)) definition = value;
    } else if (key === 'TrainingJobDefinitions') {
      if (!Array.isArray(value) || !isRecord(value[0])) continue;
      definition ??= value[0];
      if (value.length > 1) {
        const names = value.slice(1).map((d, i) => (isRecord(d) && typeof d.DefinitionName === 'string' ? d.DefinitionName : `#${i + 2}`));
        r.report.unsupported.push(`TrainingJobDefinitions: only the first is read; ${names.join(', ')} ignored`);
      }
    } else if (key === 'WarmStartConfig') {
      r.report.unsupported.push("WarmStartConfig (parent tuning jobs): import each parent's ListTrainingJobsForHyperParameterTuningJob pages to warm-start from them");
    } else if (key === 'Autotune') {
      r.report.unsupported.push('Autotune');
    } else if (key === 'BestTrainingJob' && isRecord(value)) {
      const metric = value.FinalHyperParameterTuningJobObjectiveMetric;
      const objective = isRecord(metric) ? ` reached ${String(metric.MetricName)} = ${String(metric.Value)}` : '';
      const tuned = isRecord(value.TunedHyperParameters)
        ? ` with ${Object.entries(value.TunedHyperParameters).map(([k, v]) => `${k} = ${typeof v === 'string' ? unquote(v) : String(v)}`).join(', ')}`
        : '';
      r.report.notices.push(`The tuning job's best training job, ${String(value.TrainingJobName)},${objective}${tuned}.`);
      r.ignore(key);
    } else r.ignore(key);
  }
  return definition;
}

function readObjective(value: unknown, job: JobDefinition, notices: string[]): void {
  if (!isRecord(value) || typeof value.MetricName !== 'string' || !value.MetricName.trim()) {
    notices.push(`The objective names no metric: the job maximizes ${job.objective.metric}.`);
    return;
  }
  const goal = value.Type === 'Minimize' ? 'minimize' : 'maximize';
  if (value.Type !== 'Minimize' && value.Type !== 'Maximize') notices.push(`Objective type ${JSON.stringify(value.Type)} is neither Maximize nor Minimize; the job maximizes.`);
  job.objective = { metric: value.MetricName.trim(), goal };
}

function readResourceLimits(value: unknown, job: JobDefinition, r: Reporter): void {
  if (!isRecord(value)) return;
  for (const [key, raw] of Object.entries(value)) {
    const n = number(raw);
    if (key === 'MaxNumberOfTrainingJobs' && n !== undefined) job.maxJobs = n;
    else if (key === 'MaxParallelTrainingJobs' && n !== undefined) job.maxParallelJobs = n;
    else if (key === 'MaxRuntimeInSeconds' && n !== undefined) job.completion.maxRuntimeSeconds = n;
    else if (['MaxNumberOfTrainingJobs', 'MaxParallelTrainingJobs', 'MaxRuntimeInSeconds'].includes(key)) r.report.notices.push(`ResourceLimits.${key} ${JSON.stringify(raw)} is not a number; left at its default.`);
    else r.report.unsupported.push(`ResourceLimits.${key}`);
  }
}

function readCompletion(value: unknown, job: JobDefinition, r: Reporter): void {
  if (!isRecord(value)) return;
  for (const [key, raw] of Object.entries(value)) {
    if (key === 'TargetObjectiveMetricValue' && number(raw) !== undefined) job.completion.targetObjective = number(raw);
    else if (key === 'BestObjectiveNotImproving' && isRecord(raw) && number(raw.MaxNumberOfTrainingJobsNotImproving) !== undefined) {
      job.completion.trialsWithoutImprovement = number(raw.MaxNumberOfTrainingJobsNotImproving);
    } else if (key === 'ConvergenceDetected') {
      const mode = isRecord(raw) && typeof raw.CompleteOnConvergence === 'string' ? ` (CompleteOnConvergence: ${raw.CompleteOnConvergence})` : '';
      r.report.unsupported.push(`TuningJobCompletionCriteria.ConvergenceDetected${mode}`);
    } else r.report.unsupported.push(`TuningJobCompletionCriteria.${key} ${JSON.stringify(raw)}`);
  }
}

/** `ParameterRanges` (or a definition's `HyperParameterRanges`): each range by its name, in file order. */
function readRanges(value: unknown, job: JobDefinition, r: Reporter): void {
  if (!isRecord(value)) return;
  for (const [key, list] of Object.entries(value)) {
    if (key === 'AutoParameters') {
      r.report.unsupported.push(`ParameterRanges.AutoParameters (${Array.isArray(list) ? list.map((p) => (isRecord(p) ? String(p.Name) : '?')).join(', ') : ''})`);
      continue;
    }
    const type = key === 'ContinuousParameterRanges' ? 'continuous' : key === 'IntegerParameterRanges' ? 'integer' : key === 'CategoricalParameterRanges' ? 'categorical' : undefined;
    if (!type) {
      r.report.unsupported.push(`ParameterRanges.${key}`);
      continue;
    }
    if (!Array.isArray(list)) continue;
    list.forEach((range: unknown, i) => {
      const where = `${key}[${i}]`;
      if (!isRecord(range) || typeof range.Name !== 'string' || !range.Name.trim()) {
        r.report.notices.push(`${where} has no Name; left out.`);
        return;
      }
      const name = range.Name.trim();
      let parameter: Parameter;
      if (type === 'categorical') {
        if (!Array.isArray(range.Values) || range.Values.length === 0) {
          r.report.notices.push(`${where} (${name}) has no Values; left out.`);
          return;
        }
        parameter = { type, values: range.Values.map((v) => (typeof v === 'string' ? parseCategory(unquote(v)) : typeof v === 'number' ? v : String(v))) };
      } else {
        const min = number(range.MinValue);
        const max = number(range.MaxValue);
        if (min === undefined || max === undefined) {
          r.report.notices.push(`${where} (${name}): MinValue ${JSON.stringify(range.MinValue)} and MaxValue ${JSON.stringify(range.MaxValue)} must be numbers; left out.`);
          return;
        }
        const scaling = range.ScalingType ?? 'Auto';
        const scale = typeof scaling === 'string' ? SCALING[scaling] : undefined;
        if (!scale) r.report.notices.push(`${where} (${name}): ScalingType ${JSON.stringify(scaling)} is not one SageMaker names; the scale is auto.`);
        parameter = { type, min, max, scale: scale ?? 'auto' };
      }
      if (isSageMakerKey(name)) r.ignore(name);
      else if (isEngineName(name)) job.parameters[name] = parameter;
      else r.unknown(name, 'search', { parameter });
    });
  }
}

function readTrainingDefinition(definition: Record<string, unknown>, job: JobDefinition, r: Reporter, take: { ranges: boolean; objective: boolean }): void {
  const prefix = 'DefinitionName' in definition ? 'TrainingJobDefinitions[0]' : 'TrainingJobDefinition';
  for (const [key, value] of Object.entries(definition)) {
    switch (key) {
      case 'StaticHyperParameters':
        if (isRecord(value)) readStatic(value, job, r);
        break;
      case 'AlgorithmSpecification':
        if (!isRecord(value)) break;
        for (const [field, spec] of Object.entries(value)) {
          if (field === 'MetricDefinitions') job.metricDefinitions = readMetricDefinitions(spec, r);
          else r.ignore(`${prefix}.AlgorithmSpecification.${field}`);
        }
        break;
      case 'HyperParameterRanges':
        if (take.ranges) readRanges(value, job, r);
        else r.report.notices.push(`${prefix}.HyperParameterRanges: the config's ParameterRanges are used instead.`);
        break;
      case 'TuningObjective':
        if (take.objective) readObjective(value, job, r.report.notices);
        break;
      case 'RetryStrategy': {
        const attempts = isRecord(value) ? number(value.MaximumRetryAttempts) : undefined;
        if (attempts === undefined || !Number.isInteger(attempts) || attempts < 0) break;
        job.retries = Math.min(attempts, MAX_RETRIES);
        r.report.notices.push(
          `RetryStrategy: ${job.retries} retr${job.retries === 1 ? 'y' : 'ies'}${attempts > MAX_RETRIES ? ` (TabTune allows at most ${MAX_RETRIES})` : ''}, taken only when a trial's worker crashes or loses its GPU.`,
        );
        break;
      }
      case 'StoppingCondition':
        r.report.unsupported.push(`${prefix}.StoppingCondition (a time limit per training job)`);
        break;
      case 'DefinitionName':
        break;
      default:
        if (CLOUD_KEYS.has(key) || DESCRIBE_KEYS.has(key)) r.ignore(`${prefix}.${key}`);
        else r.report.unsupported.push(`${prefix}.${key}`);
    }
  }
}

/** Static hyperparameters are strings, JSON-quoted by the Python SDK: unquoted, then read as the form reads a fixed value. */
function readStatic(values: Record<string, unknown>, job: JobDefinition, r: Reporter): void {
  for (const [name, raw] of Object.entries(values)) {
    if (isSageMakerKey(name)) {
      r.ignore(`StaticHyperParameters.${name}`);
      continue;
    }
    const value = typeof raw === 'string' ? parseFixedValue(unquote(raw)) : typeof raw === 'number' || typeof raw === 'boolean' ? raw : String(raw);
    if (name in job.parameters) r.report.notices.push(`${name} is both searched and static; it is searched.`);
    else if (isEngineName(name)) job.fixed[name] = value;
    else r.unknown(name, 'fixed', { value });
  }
}

function readMetricDefinitions(value: unknown, r: Reporter): MetricDefinition[] {
  if (!Array.isArray(value)) return [];
  const definitions: MetricDefinition[] = [];
  for (const item of value) {
    if (isRecord(item) && typeof item.Name === 'string' && typeof item.Regex === 'string') definitions.push({ name: item.Name, regex: item.Regex });
    else r.report.notices.push(`A metric definition without Name and Regex was left out: ${JSON.stringify(item)}.`);
  }
  return definitions;
}

/**
 * SageMaker's built-in algorithms emit their objective (`validation:accuracy`) without a metric
 * definition; TabTune reads every metric by regex, so the objective gets the engine's validation
 * accuracy line, and the page says so.
 */
function ensureObjectiveMetric(job: JobDefinition, notices: string[]): void {
  if (job.metricDefinitions.some((m) => m.name === job.objective.metric)) return;
  job.metricDefinitions.push({ name: job.objective.metric, regex: DEFAULT_METRIC.regex });
  notices.push(`The file has no metric definition for the objective ${job.objective.metric}: it reads the engine's validation accuracy (${DEFAULT_METRIC.regex}); change its regex in Metrics if it is another number.`);
}

/** Epoch seconds (the CLI's `--cli-timestamp-format none`, boto3 dumps) or an ISO date (the CLI's default), in ms. */
function time(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value > 1e11 ? value : value * 1000;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

/**
 * Pages of `ListTrainingJobsForHyperParameterTuningJob`: each completed training job with a final
 * objective value becomes a completed trial and a warm-start observation; the others are counted
 * by why they were not taken. Trials are numbered in the order the jobs were created.
 */
export function readTrainingJobPages(pages: Record<string, unknown>[]): ImportResult {
  const r = new Reporter();
  const skipped = new Map<string, number>();
  const skip = (reason: string) => skipped.set(reason, (skipped.get(reason) ?? 0) + 1);
  const seen = new Set<string>();
  const metrics = new Set<string>();
  const taken: { name: string; trial: Omit<Trial, 'number'> }[] = [];

  for (const page of pages) {
    for (const key of Object.keys(page)) if (key !== 'TrainingJobSummaries' && key !== 'NextToken') r.ignore(key);
    const summaries = Array.isArray(page.TrainingJobSummaries) ? page.TrainingJobSummaries : [];
    for (const summary of summaries) {
      if (!isRecord(summary)) {
        skip('not a training job summary');
        continue;
      }
      const name = typeof summary.TrainingJobName === 'string' ? summary.TrainingJobName : `training job ${seen.size + 1}`;
      if (seen.has(name)) {
        skip('listed twice');
        continue;
      }
      seen.add(name);
      const status = String(summary.TrainingJobStatus ?? 'without a status');
      if (status !== 'Completed') {
        skip(`not completed (${status})`);
        continue;
      }
      const final = summary.FinalHyperParameterTuningJobObjectiveMetric;
      const value = isRecord(final) ? number(final.Value) : undefined;
      if (value === undefined || !isRecord(final)) {
        skip('no objective value');
        continue;
      }
      if (!isRecord(summary.TunedHyperParameters) || Object.keys(summary.TunedHyperParameters).length === 0) {
        skip('no tuned hyperparameters');
        continue;
      }
      const params: Params = {};
      for (const [key, raw] of Object.entries(summary.TunedHyperParameters)) {
        if (isSageMakerKey(key)) {
          r.ignore(`TunedHyperParameters.${key}`);
          continue;
        }
        params[key] = typeof raw === 'string' ? parseCategory(unquote(raw)) : typeof raw === 'number' ? raw : String(raw);
        if (!isEngineName(key)) r.unknown(key, 'search');
      }
      const metric = typeof final.MetricName === 'string' ? final.MetricName : 'objective';
      metrics.add(metric);
      const createdAt = time(summary.CreationTime) ?? time(summary.TrainingStartTime) ?? 0;
      const startedAt = time(summary.TrainingStartTime);
      const endedAt = time(summary.TrainingEndTime);
      taken.push({
        name,
        trial: {
          id: name,
          seed: 0,
          params,
          status: 'completed',
          createdAt,
          ...(startedAt !== undefined ? { startedAt } : {}),
          ...(endedAt !== undefined ? { endedAt } : {}),
          objective: value,
          metrics: { [metric]: [value] },
          epochs: [],
          logs: [],
        },
      });
    }
  }
  if (pages.every((page) => Array.isArray(page.TrainingJobSummaries) === false)) {
    return { kind: 'error', message: 'No TrainingJobSummaries in these pages.' };
  }
  if (pages.length > 0 && pages.every((page) => typeof page.NextToken === 'string' && page.NextToken !== '')) {
    r.report.notices.push('Every page has a NextToken: the tuning job has more training jobs than these pages list.');
  }
  if (metrics.size > 1) r.report.notices.push(`The training jobs report different objective metrics: ${[...metrics].join(', ')}.`);
  taken.sort((a, b) => a.trial.createdAt - b.trial.createdAt || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const trials: Trial[] = taken.map(({ trial }, i) => ({ ...trial, number: i + 1 }));
  const observations: WarmStartObservation[] = trials.map((trial) => ({ params: { ...trial.params }, value: trial.objective! }));
  const skippedCounts: SkippedCount[] = [...skipped].map(([reason, count]) => ({ reason, count }));
  return { kind: 'sagemaker-trials', pages: pages.length, trials, observations, skipped: skippedCounts, report: r.report };
}

/**
 * SageMaker's Hyperband resource is the epochs a training job runs: `MinResource`–`MaxResource`
 * becomes the searched `epochs` range, Hyperband's budget here, unless the ranges already search
 * epochs (a static epochs value gives way to it).
 */
function readHyperbandConfig(config: Record<string, unknown>, job: JobDefinition, notices: string[]): void {
  const min = Number(config.MinResource);
  const max = Number(config.MaxResource);
  if (job.parameters.epochs) {
    notices.push(`HyperbandStrategyConfig's resource range (${String(config.MinResource)} to ${String(config.MaxResource)}) is left aside: the ranges already search epochs, which are Hyperband's budget here.`);
  } else if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max <= min) {
    notices.push(`HyperbandStrategyConfig's resource range (${String(config.MinResource)} to ${String(config.MaxResource)}) is not a range of whole epochs; search epochs yourself for Hyperband.`);
  } else {
    job.parameters.epochs = { type: 'integer', min, max };
    delete job.fixed.epochs;
    notices.push(`Hyperband's resource, ${min} to ${max}, is read as the epochs each trial trains: the searched epochs range, Hyperband's budget here.`);
  }
}
