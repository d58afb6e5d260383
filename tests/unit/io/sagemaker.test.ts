import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateJob } from '../../../src/lib/config';
import { applyNameMapping, readImport, unquote, type ImportResult } from '../../../src/lib/io';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/sagemaker/${name}`, import.meta.url), 'utf8');

function expectKind<K extends ImportResult['kind']>(result: ImportResult, kind: K): Extract<ImportResult, { kind: K }> {
  expect(result.kind, result.kind === 'error' ? result.message : '').toBe(kind);
  return result as Extract<ImportResult, { kind: K }>;
}

describe('SageMaker tuning jobs', () => {
  it('reads a HyperParameterTuningJobConfig on its own: ranges, scales, limits, objective, completion criteria, seed', () => {
    const result = expectKind(readImport(fixture('tuning-job-config.json')), 'sagemaker-job');
    expect(result.source).toBe('HyperParameterTuningJobConfig');
    const { job, report } = result;
    expect(job.parameters).toEqual({
      lr: { type: 'continuous', min: 0.001, max: 0.1, scale: 'log' },
      label_smoothing: { type: 'continuous', min: 0, max: 0.3, scale: 'auto' },
      crop_pad: { type: 'integer', min: 0, max: 4, scale: 'linear' },
    });
    expect(job.objective).toEqual({ metric: 'validation:accuracy', goal: 'maximize' });
    expect([job.strategy, job.maxJobs, job.maxParallelJobs, job.earlyStopping, job.seed]).toEqual(['bayesian', 20, 2, 'auto', 42]);
    expect(job.completion).toEqual({ targetObjective: 0.95, trialsWithoutImprovement: 5, maxRuntimeSeconds: 3600 });
    // Without a training definition the objective reads the engine's validation accuracy, and the page says so.
    expect(job.metricDefinitions).toEqual([{ name: 'validation:accuracy', regex: 'Validation accuracy=([0-9\\.]+)' }]);
    expect(report.notices.some((n) => n.includes('no metric definition for the objective validation:accuracy'))).toBe(true);
    expect(report.notices.some((n) => n.includes('sets no model'))).toBe(true);
    expect(report.unknownNames).toEqual([
      { name: 'mom', where: 'search', suggestion: 'momentum', parameter: { type: 'continuous', min: 0.8, max: 0.95, scale: 'linear' } },
      { name: 'opt', where: 'search', suggestion: 'optimizer', parameter: { type: 'categorical', values: ['sgd', 'nag'] } },
    ]);
    expect([report.unsupported, report.ignored]).toEqual([[], []]);
    expect(validateJob(job).errors).toEqual([]);
  });

  it('maps unknown names to engine hyperparameters, or leaves them out on request', () => {
    const result = readImport(fixture('tuning-job-config.json'));
    const mapped = expectKind(applyNameMapping(result, { mom: 'momentum', opt: 'optimizer' }), 'sagemaker-job');
    expect(mapped.job.parameters.momentum).toEqual({ type: 'continuous', min: 0.8, max: 0.95, scale: 'linear' });
    expect(mapped.job.parameters.optimizer).toEqual({ type: 'categorical', values: ['sgd', 'nag'] });
    expect(mapped.report.unknownNames).toEqual([]);
    expect(validateJob(mapped.job).errors).toEqual([]);
    // The input is unchanged; a name left out is listed as ignored; a name mapped onto one the job has is refused.
    expect(expectKind(result, 'sagemaker-job').report.unknownNames).toHaveLength(2);
    const partly = expectKind(applyNameMapping(result, { mom: '', opt: 'lr' }), 'sagemaker-job');
    expect(partly.report.ignored).toEqual(['mom (left out)']);
    expect(partly.report.unknownNames.map((u) => u.name)).toEqual(['opt']);
    expect(partly.report.notices.at(-1)).toBe('opt was not mapped: the job already searches lr.');
    expect('momentum' in partly.job.parameters).toBe(false);
  });

  it('reads a CreateHyperParameterTuningJob request: static hyperparameters unquoted, metric definitions, SDK keys ignored once', () => {
    const result = expectKind(readImport(fixture('create-tuning-job.json')), 'sagemaker-job');
    expect([result.source, result.name]).toEqual(['CreateHyperParameterTuningJob', 'cifar10-resnet9-tuning']);
    const { job, report } = result;
    expect(job.fixed).toEqual({ model: 'resnet9', data: 'cifar10', optimizer: 'sgd', epochs: 10, ema: true });
    expect(job.parameters).toEqual({
      momentum: { type: 'continuous', min: 0.85, max: 0.95, scale: 'auto' },
      tta: { type: 'categorical', values: ['none', 'flip'] },
    });
    expect(job.metricDefinitions).toEqual([
      { name: 'Validation-accuracy', regex: 'Validation accuracy=([0-9\\.]+)' },
      { name: 'Train-loss', regex: 'Train loss=([0-9\\.]+)' },
    ]);
    expect([job.strategy, job.maxJobs, job.maxParallelJobs, job.earlyStopping, job.retries]).toEqual(['random', 12, 3, 'off', 2]);
    expect(report.unknownNames).toEqual([
      { name: 'learning_rate', where: 'search', suggestion: 'lr', parameter: { type: 'continuous', min: 0.05, max: 0.8, scale: 'reverse-log' } },
      { name: 'wd', where: 'fixed', suggestion: 'weight_decay', value: 0.005 },
    ]);
    expect(report.ignored).toEqual(
      expect.arrayContaining([
        'StaticHyperParameters.sagemaker_program',
        'StaticHyperParameters.sagemaker_submit_directory',
        'StaticHyperParameters._tuning_objective_metric',
        'TrainingJobDefinition.RoleArn',
        'TrainingJobDefinition.InputDataConfig',
        'TrainingJobDefinition.ResourceConfig',
        'Tags',
      ]),
    );
    expect(new Set(report.ignored).size).toBe(report.ignored.length);
    expect(report.unsupported).toEqual(['TrainingJobDefinition.StoppingCondition (a time limit per training job)']);
    expect(report.notices).toEqual(["RetryStrategy: 2 retries, taken only when a trial's worker crashes or loses its GPU."]);

    const mapped = expectKind(applyNameMapping(result, { learning_rate: 'lr', wd: 'weight_decay' }), 'sagemaker-job');
    expect(mapped.job.parameters.lr).toEqual({ type: 'continuous', min: 0.05, max: 0.8, scale: 'reverse-log' });
    expect(mapped.job.fixed.weight_decay).toBe(0.005);
    expect(validateJob(mapped.job).errors).toEqual([]);
  });

  it('reads a DescribeHyperParameterTuningJob response: Hyperband with its resource range as the epochs range, ConvergenceDetected unsupported', () => {
    const result = expectKind(readImport(fixture('describe-tuning-job.json')), 'sagemaker-job');
    expect([result.source, result.name]).toEqual(['DescribeHyperParameterTuningJob', 'cifar10-hyperband']);
    const { job, report } = result;
    expect(job.strategy).toBe('hyperband');
    expect(job.objective).toEqual({ metric: 'Train-loss', goal: 'minimize' });
    expect(job.parameters).toEqual({
      batch_size: { type: 'integer', min: 64, max: 512, scale: 'log' },
      weight_decay: { type: 'continuous', min: 0.0001, max: 0.01, scale: 'log' },
      cutout: { type: 'categorical', values: [0, 8, 16] },
      epochs: { type: 'integer', min: 1, max: 30 },
    });
    expect([job.maxJobs, job.maxParallelJobs, job.seed, job.completion]).toEqual([30, 4, 7, { maxRuntimeSeconds: 7200 }]);
    expect(job.fixed).toEqual({ model: 'airbench' });
    expect(report.notices).toContain("Hyperband's resource, 1 to 30, is read as the epochs each trial trains: the searched epochs range, Hyperband's budget here.");
    // The epochs range gives Hyperband its rungs (1, 3, 10, 30).
    expect(validateJob(job).errors.filter((e) => e.path === 'strategy')).toEqual([]);
    expect(report.notices).toContain(
      "The tuning job's best training job, cifar10-hyperband-017-4b1c2d3e, reached Train-loss = 0.4123 with batch_size = 256, weight_decay = 0.0012, cutout = 8.",
    );
    expect(report.unsupported).toEqual([
      'TuningJobCompletionCriteria.ConvergenceDetected (CompleteOnConvergence: Enabled)',
      'TrainingJobDefinition.StoppingCondition (a time limit per training job)',
    ]);
    expect(report.ignored).toEqual(expect.arrayContaining(['HyperParameterTuningJobArn', 'HyperParameterTuningJobStatus', 'TrainingJobStatusCounters', 'BestTrainingJob']));
  });

  it('reads the first of several TrainingJobDefinitions, with its own ranges and objective, and lists the others', () => {
    const result = expectKind(
      readImport(
        JSON.stringify({
          HyperParameterTuningJobName: 'multi',
          HyperParameterTuningJobConfig: { Strategy: 'Grid', ResourceLimits: { MaxNumberOfTrainingJobs: 4, MaxParallelTrainingJobs: 1 } },
          TrainingJobDefinitions: [
            {
              DefinitionName: 'small',
              TuningObjective: { Type: 'Minimize', MetricName: 'loss' },
              HyperParameterRanges: { CategoricalParameterRanges: [{ Name: 'width', Values: ['2', '4'] }] },
              AlgorithmSpecification: { MetricDefinitions: [{ Name: 'loss', Regex: 'Train loss=([0-9.]+)' }] },
            },
            { DefinitionName: 'large' },
          ],
        }),
      ),
      'sagemaker-job',
    );
    expect(result.job.strategy).toBe('grid');
    expect(result.job.objective).toEqual({ metric: 'loss', goal: 'minimize' });
    expect(result.job.parameters).toEqual({ width: { type: 'categorical', values: [2, 4] } });
    expect(result.report.unsupported).toEqual(['TrainingJobDefinitions: only the first is read; large ignored']);
  });

  it('strips one level of JSON quoting', () => {
    expect([unquote('"sgd"'), unquote('sgd'), unquote('"\\"x\\""'), unquote('"broken'), unquote('0.1')]).toEqual(['sgd', 'sgd', '"x"', '"broken', '0.1']);
  });
});

describe('ListTrainingJobsForHyperParameterTuningJob pages', () => {
  const pages = [fixture('list-training-jobs-page-1.json'), fixture('list-training-jobs-page-2.json')];

  for (const [label, text] of [
    ['written one after another', pages.join('\n')],
    ['as a JSON array of pages', `[${pages.join(',')}]`],
  ]) {
    it(`turns completed jobs with an objective into trials and warm-start observations (${label}), and counts the rest by reason`, () => {
      const result = expectKind(readImport(text), 'sagemaker-trials');
      expect(result.pages).toBe(2);
      expect(result.trials.map((t) => [t.number, t.id, t.status, t.objective, t.params])).toEqual([
        [1, 'cifar10-resnet9-tuning-001-5e6f7a8b', 'completed', 0.9101, { learning_rate: 0.1, momentum: 0.87, tta: 'none' }],
        [2, 'cifar10-resnet9-tuning-003-9c8b7a6d', 'completed', 0.9312, { learning_rate: 0.4, momentum: 0.9, tta: 'flip' }],
        [3, 'cifar10-resnet9-tuning-007-ee55ff66', 'completed', 0.9355, { learning_rate: 0.3, momentum: 0.89, tta: 'flip' }],
      ]);
      expect(result.trials[1]).toMatchObject({ startedAt: Date.UTC(2024, 4, 1, 10, 21), endedAt: Date.UTC(2024, 4, 1, 10, 31, 30, 500), metrics: { 'Validation-accuracy': [0.9312] } });
      expect(result.observations).toEqual(result.trials.map((t) => ({ params: t.params, value: t.objective })));
      expect(result.skipped).toEqual([
        { reason: 'not completed (Failed)', count: 1 },
        { reason: 'not completed (InProgress)', count: 1 },
        { reason: 'not completed (Stopped)', count: 1 },
        { reason: 'no objective value', count: 1 },
      ]);
      expect(result.report.ignored).toEqual(['TunedHyperParameters.sagemaker_estimator_class_name']);
      expect(result.report.unknownNames).toEqual([{ name: 'learning_rate', where: 'search', suggestion: 'lr' }]);
      expect(result.report.notices).toEqual([]);

      const mapped = expectKind(applyNameMapping(result, { learning_rate: 'lr' }), 'sagemaker-trials');
      expect(mapped.trials[0].params).toEqual({ lr: 0.1, momentum: 0.87, tta: 'none' });
      expect(mapped.observations[2]).toEqual({ params: { lr: 0.3, momentum: 0.89, tta: 'flip' }, value: 0.9355 });
      expect(mapped.report.unknownNames).toEqual([]);
    });
  }

  it('says when every page has a NextToken (more jobs than the pages list), and counts a job listed twice once', () => {
    const result = expectKind(readImport([pages[0], pages[0]].join('\n')), 'sagemaker-trials');
    expect(result.trials).toHaveLength(2);
    expect(result.skipped).toContainEqual({ reason: 'listed twice', count: 3 });
    expect(result.report.notices).toEqual(['Every page has a NextToken: the tuning job has more training jobs than these pages list.']);
  });
});
