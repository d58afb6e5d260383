import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultJob } from '../../../src/lib/config';
import type { Trial } from '../../../src/lib/job';
import { csvCell, exportCsv, exportFileName, exportJson, readImport, type ImportResult } from '../../../src/lib/io';
import { epochs, trial } from '../ui/trials';

const job = defaultJob();
const trials: Trial[] = [
  trial(1, {
    params: { lr: 0.01, momentum: 0.9, optimizer: 'sgd' },
    objective: 0.42,
    metrics: { 'Validation-accuracy': [0.3, 0.42] },
    epochs: epochs(0.3, 0.42),
    final: { testAccuracy: 0.4, seconds: 12.3 },
    resolved: { model: 'tiny-cnn', lr: 0.01, momentum: 0.9, optimizer: 'sgd', ema: false },
    recipeVersion: 1,
    createdAt: 1000,
    startedAt: 1500,
    endedAt: 13_850,
    logs: ['Hyperparameters {"recipe":1,"model":"tiny-cnn"}', 'Epoch 1, Train loss=2.1, Validation accuracy=0.3000, Images/s=100.0'],
    backend: 'webgpu',
    workerId: 0,
  }),
  trial(2, {
    params: { lr: 0.3, momentum: 0.8, optimizer: '=SUM(A1)' },
    status: 'failed',
    reason: 'Diverged, "loss" was NaN\nat step 3',
    attempt: 2,
    added: true,
    failedAttempts: [{ attempt: 1, reason: 'The trainer worker crashed', endedAt: 2000 }],
    createdAt: 1100,
    startedAt: 2100,
    endedAt: 3100,
  }),
  trial(3, { params: { lr: 0.02, momentum: 0.85, optimizer: 'nag' }, status: 'stopped', stoppedBy: 'rule', objective: -0.5, rerunOf: 1, createdAt: 1200 }),
];

const kind = <K extends ImportResult['kind']>(result: ImportResult, k: K) => {
  expect(result.kind, result.kind === 'error' ? result.message : '').toBe(k);
  return result as Extract<ImportResult, { kind: K }>;
};

describe('Export JSON', () => {
  it('is versioned and reads back as the same job and trials', () => {
    const text = exportJson(job, trials, { exportedAt: new Date('2024-05-01T12:00:00Z'), status: 'completed' });
    const file = JSON.parse(text) as Record<string, unknown>;
    expect([file.format, file.version, file.exportedAt, file.app, file.status]).toEqual(['tabtune-job', 1, '2024-05-01T12:00:00.000Z', 'TabTune', 'completed']);
    const result = kind(readImport(text), 'tabtune');
    expect(result.job).toEqual(job);
    expect(result.trials).toEqual(trials);
    expect(result.exportedAt).toBe('2024-05-01T12:00:00.000Z');
    expect(result.report).toEqual({ notices: [], unsupported: [], ignored: [], unknownNames: [] });
  });

  it('leaves out step progress, and a trial exported while running comes back stopped, with a notice', () => {
    const running = trial(4, { status: 'running', progress: { epoch: 1, step: 3, totalSteps: 9, stepsPerEpoch: 3 } });
    const text = exportJson(job, [running]);
    expect(text).not.toContain('totalSteps');
    const result = kind(readImport(text), 'tabtune');
    expect(result.trials[0]).toMatchObject({ status: 'stopped', reason: 'Exported while running.' });
    expect(result.report.notices).toEqual(['Trial 4 was running when the job was exported; it is shown as stopped.']);
  });

  it('refuses a file from a newer TabTune and a trial of the wrong shape, naming it', () => {
    const file = JSON.parse(exportJson(job, trials)) as { version: number; trials: unknown[] };
    expect(readImport(JSON.stringify({ ...file, version: 2 }))).toEqual({
      kind: 'error',
      message: 'This file was exported by a newer TabTune (export version 2); this page reads version 1.',
    });
    const broken = structuredClone(file);
    (broken.trials[1] as Record<string, unknown>).objective = 'high';
    expect(readImport(JSON.stringify(broken))).toEqual({ kind: 'error', message: 'Trial 2 in the file has a objective that is not a number; nothing was imported.' });
    const marked = structuredClone(file);
    (marked.trials[1] as Record<string, unknown>).added = 'yes';
    expect(readImport(JSON.stringify(marked))).toEqual({ kind: 'error', message: 'Trial 2 in the file has an added mark that is not true; nothing was imported.' });
    const twice = { ...file, trials: [file.trials[0], file.trials[0]] };
    expect(readImport(JSON.stringify(twice))).toMatchObject({ kind: 'error', message: expect.stringContaining('Two trials in the file have number 1') });
  });

  it('also reads a bare job definition (the Job definition JSON), with no trials', () => {
    const result = kind(readImport(JSON.stringify(job)), 'tabtune');
    expect([result.job, result.trials]).toEqual([job, []]);
  });

  it('names files by the local date and time', () => {
    expect(exportFileName('json', new Date(2024, 4, 1, 9, 5))).toBe('tabtune-2024-05-01-0905.json');
    expect(exportFileName('csv', new Date(2024, 11, 31, 23, 59))).toBe('tabtune-2024-12-31-2359.csv');
  });
});

describe('Export CSV', () => {
  it('writes one row per trial: number, status, each searched hyperparameter, objective, duration, reason', () => {
    const lines = exportCsv(job, trials).split('\r\n');
    expect(lines[0]).toBe('number,status,lr,momentum,optimizer,objective (Validation-accuracy),duration_s,reason');
    expect(lines[1]).toBe('1,completed,0.01,0.9,sgd,0.42,12.4,');
    // A formula is made text; a reason with a comma, quotes and a line break is quoted with its quotes doubled.
    expect(lines[2]).toBe(`2,failed,0.3,0.8,'=SUM(A1),,1,"Diverged, ""loss"" was NaN\nat step 3"`);
    // Negative numbers start with '-', and every such cell is prefixed (see csvCell).
    expect(lines.slice(3)).toEqual(["3,stopped,0.02,0.85,nag,'-0.5,,", '']);
  });

  it('escapes each cell: formula starts, commas, quotes and line breaks', () => {
    expect(['=1+1', '+1', '-1', '@SUM(A1)', '\tx', 'a,b', 'say "hi"', 'two\nlines', 'plain', 42, -3, undefined].map(csvCell)).toEqual([
      "'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", '"a,b"', '"say ""hi"""', '"two\nlines"', 'plain', '42', "'-3", '',
    ]);
    expect(csvCell('=HYPERLINK("http://x", "y")')).toBe(`"'=HYPERLINK(""http://x"", ""y"")"`);
  });
});

describe('bad files', () => {
  const packageJson = readFileSync(new URL('../../../package.json', import.meta.url), 'utf8');
  const exported = exportJson(job, trials);
  for (const [label, text, message] of [
    ['an empty file', '  ', 'The file is empty.'],
    ['malformed JSON', '{"Strategy": "Bayesian",', 'The file is not JSON'],
    ['truncated JSON', exported.slice(0, exported.length / 2), 'The file is not JSON'],
    ['an empty object', '{}', 'This is not a file TabTune reads.'],
    ['an empty array', '[]', 'This is not a file TabTune reads.'],
    ['a package.json', packageJson, 'This is not a file TabTune reads.'],
    ['a number', '42', 'This is not a file TabTune reads.'],
    ['null', 'null', 'This is not a file TabTune reads.'],
    ['a CSV export', exportCsv(job, trials), 'The file is not JSON'],
    ['a TabTune export without trials', JSON.stringify({ format: 'tabtune-job', version: 1, job }), 'This TabTune export has no list of trials.'],
    ['pages without summaries', '[{"TrainingJobSummaries": 3}]', 'This is not a file TabTune reads.'],
    ['a config that is not an object', '{"HyperParameterTuningJobConfig": [], "ParameterRanges": 1}', 'HyperParameterTuningJobConfig must be an object.'],
  ] as const) {
    it(`gives a clear message for ${label}, and never throws`, () => {
      const result = readImport(text);
      expect(result.kind).toBe('error');
      expect(result.kind === 'error' && result.message).toContain(message);
    });
  }

  it('survives odd values anywhere in a SageMaker file', () => {
    const odd = {
      HyperParameterTuningJobConfig: {
        Strategy: 3,
        HyperParameterTuningJobObjective: null,
        ResourceLimits: { MaxNumberOfTrainingJobs: 'many', Other: 1 },
        ParameterRanges: { ContinuousParameterRanges: [null, { Name: 'lr', MinValue: 'x', MaxValue: '1' }, { Name: 'lr2', MinValue: '0', MaxValue: '1', ScalingType: 'Cubic' }], CategoricalParameterRanges: [{ Name: 'optimizer', Values: [] }], Weird: [] },
        TuningJobCompletionCriteria: { TargetObjectiveMetricValue: 'x' },
        RandomSeed: -1,
      },
      TrainingJobDefinition: { StaticHyperParameters: { epochs: 3, flag: null }, AlgorithmSpecification: { MetricDefinitions: [{ Name: 1 }] }, RetryStrategy: 'x' },
    };
    const result = kind(readImport(JSON.stringify(odd)), 'sagemaker-job');
    expect(result.job.parameters).toEqual({});
    expect(result.job.fixed).toEqual({ epochs: 3 });
    expect(result.report.unknownNames.map((u) => u.name)).toEqual(['lr2', 'flag']);
    expect(result.report.notices.length).toBeGreaterThan(5);
    expect(result.report.unsupported).toEqual(expect.arrayContaining(['ResourceLimits.Other', 'ParameterRanges.Weird']));
  });
});
