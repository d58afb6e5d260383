import { describe, expect, it } from 'vitest';
import { checkTraining, defaultJob, TEST_SET_TUNING_WARNING, trainingWarnings, validateJob } from '../../../src/lib/config';
import { RECIPE_VERSION } from '../../../src/lib/recipe/hyperparameters';
import type { SearchSpace } from '../../../src/lib/space';

const LR: SearchSpace = { lr: { type: 'continuous', min: 0.01, max: 0.3, scale: 'log' } };

describe('checkTraining', () => {
  it('accepts the default job and the test-only fault knob', () => {
    const job = defaultJob();
    expect(checkTraining(job.fixed, job.parameters)).toEqual([]);
    expect(checkTraining({ model: 'tiny-cnn', fault: 'crash' }, LR)).toEqual([]);
  });

  it('refuses names the engine does not know, suggesting the nearest', () => {
    expect(checkTraining({ widht: 4 }, LR)).toEqual([{ path: 'fixed.widht', message: '"widht" is not a training hyperparameter; did you mean width?' }]);
    expect(checkTraining({}, { learning_rate: { type: 'continuous', min: 0.01, max: 0.1 } })).toEqual([
      { path: 'parameters.learning_rate', message: '"learning_rate" is not a training hyperparameter; did you mean lr?' },
    ]);
    expect(checkTraining({ dropout: 0.5 }, LR)[0].message).toBe('"dropout" is not a training hyperparameter (see the Recipe list).');
  });

  it("checks fixed values by the engine's rules", () => {
    expect(checkTraining({ momentum: 1 }, LR)).toEqual([{ path: 'fixed.momentum', message: 'momentum must be in [0, 1); got 1.' }]);
    expect(checkTraining({ train_size: 32, batch_size: 64 }, LR)).toEqual([
      { path: 'fixed.batch_size', message: 'batch_size (64) is larger than the training set (32 images).' },
    ]);
  });

  it('checks a searched range at both ends and every category', () => {
    expect(checkTraining({}, { momentum: { type: 'continuous', min: 0.8, max: 1 } })).toEqual([
      { path: 'parameters.momentum.max', message: 'momentum must be in [0, 1); got 1.' },
    ]);
    expect(checkTraining({}, { lr: { type: 'continuous', min: 0, max: 0.1 } })).toEqual([{ path: 'parameters.lr.min', message: 'lr must be above 0; got 0.' }]);
    expect(checkTraining({}, { optimizer: { type: 'categorical', values: ['sgd', 'adam'] } })).toEqual([
      { path: 'parameters.optimizer.values', message: 'optimizer must be one of sgd, nag; got adam.' },
    ]);
    // A rule that another value breaks only at one end of the range belongs to that end.
    expect(checkTraining({ train_size: 32 }, { batch_size: { type: 'integer', min: 16, max: 64 } })).toEqual([
      { path: 'parameters.batch_size.max', message: 'batch_size (64) is larger than the training set (32 images).' },
    ]);
    expect(checkTraining({ momentum: 0.5 }, { momentum_cycle: { type: 'continuous', min: 0, max: 0.6 } })).toEqual([
      { path: 'parameters.momentum_cycle.max', message: 'momentum_cycle must be in [0, momentum]; got 0.6.' },
    ]);
  });

  it('wants the search type that gives the engine its kind of value', () => {
    expect(checkTraining({}, { batch_size: { type: 'continuous', min: 16, max: 64 } })).toEqual([
      { path: 'parameters.batch_size.type', message: 'batch_size takes whole numbers: search it as an integer.' },
    ]);
    expect(checkTraining({}, { ema: { type: 'integer', min: 0, max: 1 } })[0].message).toBe('ema takes one of true, false: search it as categorical.');
  });

  it('is part of validating a job, from a link or a file as from the form', () => {
    const { errors } = validateJob({ ...defaultJob(), fixed: { model: 'resnet9', widht: 2 } });
    expect(errors).toEqual([{ path: 'fixed.widht', message: '"widht" is not a training hyperparameter; did you mean width?' }]);
  });

  it('records the recipe version a job was set under, and refuses another', () => {
    expect(defaultJob().recipeVersion).toBe(RECIPE_VERSION);
    expect(validateJob({ ...defaultJob(), recipeVersion: undefined }).job.recipeVersion).toBe(RECIPE_VERSION);
    expect(validateJob({ ...defaultJob(), recipeVersion: RECIPE_VERSION + 1 }).errors).toEqual([
      { path: 'recipeVersion', message: expect.stringContaining(`trains with recipe version ${RECIPE_VERSION}, whose defaults differ`) },
    ]);
  });
});

describe('trainingWarnings', () => {
  it('warns, without an error, that a CIFAR-10 job with val_size 0 tunes on the test set', () => {
    const fixed = { model: 'resnet9', data: 'cifar10', val_size: 0 };
    expect(trainingWarnings(fixed, LR)).toEqual([{ path: 'fixed.val_size', message: TEST_SET_TUNING_WARNING }]);
    expect(trainingWarnings({ ...fixed, val_size: '0' }, LR)).toHaveLength(1);
    expect(checkTraining(fixed, LR)).toEqual([]);
    expect(validateJob({ ...defaultJob(), fixed }).errors).toEqual([]);
  });

  it('warns when a searched val_size can reach 0, and not otherwise', () => {
    const cifar = { data: 'cifar10' };
    expect(trainingWarnings(cifar, { val_size: { type: 'integer', min: 0, max: 5000 } })).toEqual([{ path: 'parameters.val_size', message: TEST_SET_TUNING_WARNING }]);
    expect(trainingWarnings(cifar, { val_size: { type: 'integer', min: 1000, max: 5000 } })).toEqual([]);
    expect(trainingWarnings(cifar, LR)).toEqual([]);
    expect(trainingWarnings({ ...cifar, val_size: 5000 }, LR)).toEqual([]);
    expect(trainingWarnings({ data: 'synthetic', val_size: 0 }, LR)).toEqual([]);
    expect(trainingWarnings({ val_size: 0 }, { data: { type: 'categorical', values: ['synthetic', 'cifar10'] } })).toHaveLength(1);
  });
});
