import { describe, expect, it } from 'vitest';
import { defaultJob, JOB_VERSION, validateJob } from '../../../src/lib/config';
import { formToJob, jobToForm, type JobFormData } from '../../../src/ui/state/form-model';

function form(edit: (f: JobFormData) => void = () => {}): JobFormData {
  const f = jobToForm(defaultJob());
  edit(f);
  return f;
}
const errorsOf = (f: JobFormData) => Object.fromEntries(formToJob(f).errors);
const row = (f: JobFormData, name: string) => f.rows.find((r) => r.name === name)!;

describe('validateJob', () => {
  it('accepts the default job', () => {
    expect(validateJob(defaultJob()).errors).toEqual([]);
  });

  it('refuses a job from a newer version', () => {
    expect(validateJob({ ...defaultJob(), version: JOB_VERSION + 1 }).errors).toEqual([{ path: 'version', message: expect.stringContaining('newer TabTune') }]);
  });

  it('refuses more parallel jobs than jobs, and counts below 1', () => {
    expect(validateJob({ ...defaultJob(), maxJobs: 2, maxParallelJobs: 3 }).errors).toEqual([
      { path: 'maxParallelJobs', message: 'Max parallel jobs (3) cannot exceed max jobs (2).' },
    ]);
    expect(validateJob({ ...defaultJob(), maxJobs: 0 }).errors[0].path).toBe('maxJobs');
  });

  it('refuses an objective that names no defined metric, and a parameter both fixed and searched', () => {
    const job = defaultJob();
    expect(validateJob({ ...job, objective: { metric: 'nope', goal: 'maximize' } }).errors).toEqual([
      { path: 'objective.metric', message: expect.stringContaining('defined metrics') },
    ]);
    expect(validateJob({ ...job, fixed: { lr: 0.1 } }).errors).toEqual([{ path: 'fixed.lr', message: expect.stringContaining('both searched and fixed') }]);
  });
});

describe('formToJob', () => {
  it('builds the job definition from the default form with no errors', () => {
    const { job, errors } = formToJob(form());
    expect(errors.size).toBe(0);
    expect(job).toEqual(defaultJob());
  });

  it('puts each search-space error on the row and field at fault', () => {
    const f = form((f) => {
      row(f, 'lr').min = '0';
      row(f, 'momentum').max = 'abc';
      row(f, 'optimizer').values = 'sgd, , nag';
    });
    const lr = row(f, 'lr').key;
    const momentum = row(f, 'momentum').key;
    const optimizer = row(f, 'optimizer').key;
    expect(errorsOf(f)).toEqual({
      [`param.${lr}.min`]: 'A log scale needs a minimum above 0.',
      [`param.${momentum}.max`]: 'Enter a number.',
      [`param.${optimizer}.values`]: expect.stringContaining('Value 2 is empty'),
    });
  });

  it('flags min ≥ max, duplicated names and duplicated categorical values', () => {
    const f = form((f) => {
      row(f, 'momentum').min = '0.95';
      row(f, 'optimizer').values = 'sgd, sgd';
      f.rows.push({ ...row(f, 'lr'), key: 999 });
    });
    const errors = errorsOf(f);
    expect(errors[`param.${row(f, 'momentum').key}.max`]).toMatch(/greater than the minimum/);
    expect(errors[`param.${row(f, 'optimizer').key}.values`]).toMatch(/listed twice/);
    expect(errors['param.999.name']).toBe('The name "lr" is used twice.');
    expect(errors[`param.${f.rows[0].key}.name`]).toBe('The name "lr" is used twice.');
  });

  it('flags a bad regex and too many parallel jobs on their fields', () => {
    const bad = form((f) => (f.metrics[0].regex = 'Validation accuracy=([0-9.]+'));
    expect(errorsOf(bad)).toEqual({ [`metric.${bad.metrics[0].key}.regex`]: expect.stringContaining('does not compile') });
    const noGroup = form((f) => (f.metrics[0].regex = 'Validation accuracy=[0-9.]+'));
    expect(errorsOf(noGroup)).toEqual({ [`metric.${noGroup.metrics[0].key}.regex`]: expect.stringContaining('capture group') });
    expect(errorsOf(form((f) => ((f.maxJobs = '2'), (f.maxParallelJobs = '4'))))).toEqual({ maxParallelJobs: expect.stringContaining('cannot exceed') });
  });

  it('reads numbers and booleans in training values and numeric categoricals as numbers', () => {
    const { job } = formToJob(
      form((f) => {
        f.training.ema = 'true';
        row(f, 'optimizer').values = 'sgd, 128';
      }),
    );
    expect(job.fixed).toMatchObject({ train_size: 160, ema: true, model: 'tiny-cnn' });
    expect(job.parameters.optimizer).toEqual({ type: 'categorical', values: ['sgd', 128] });
  });

  it("keeps a searched hyperparameter's fixed value in the form but leaves it out of the job", () => {
    const f = form((f) => (f.training.lr = '0.02'));
    expect(formToJob(f).job.fixed.lr).toBeUndefined();
    f.rows = f.rows.filter((r) => r.name !== 'lr');
    expect(formToJob(f).job.fixed.lr).toBe(0.02);
  });

  it("puts the engine's verdicts on the training field or the search row at fault", () => {
    const f = form((f) => {
      f.training.width = '2.5';
      row(f, 'lr').name = 'learning_rate';
      row(f, 'momentum').max = '1';
    });
    expect(errorsOf(f)).toEqual({
      'fixed.width': 'width must be above 0 (a whole number for tiny-cnn) and at most 8; got 2.5.',
      [`param.${row(f, 'learning_rate').key}.name`]: '"learning_rate" is not a training hyperparameter; did you mean lr?',
      [`param.${row(f, 'momentum').key}.max`]: 'momentum must be in [0, 1); got 1.',
    });
  });

  it('defines several metrics, one of them the objective, which follows a rename', () => {
    const f = form((f) => {
      f.metrics.push({ key: 700, name: 'Train-loss', regex: 'Train loss=([0-9.]+)' });
      f.objectiveKey = 700;
      f.goal = 'minimize';
    });
    const { job, errors } = formToJob(f);
    expect(errors.size).toBe(0);
    expect(job.metricDefinitions.map((m) => m.name)).toEqual(['Validation-accuracy', 'Train-loss']);
    expect(job.objective).toEqual({ metric: 'Train-loss', goal: 'minimize' });
    f.metrics[1].name = 'loss';
    expect(formToJob(f).job.objective.metric).toBe('loss');
    f.metrics[1].name = 'Validation-accuracy';
    expect(errorsOf(f)).toEqual({ 'metric.700.name': 'The metric "Validation-accuracy" is defined twice.' });
  });
});
