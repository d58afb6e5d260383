import { describe, expect, it } from 'vitest';
import { defaultJob, PRESETS, validateJob } from '../../../src/lib/config';

describe('presets', () => {
  it('are valid jobs, by the engine rules too', () => {
    for (const preset of PRESETS) expect(validateJob(preset.job).errors, preset.label).toEqual([]);
  });

  it('open on the quick demo, whose trials run several epochs so learning curves have points', () => {
    expect(defaultJob()).toEqual(PRESETS.find((p) => p.id === 'quick-demo')!.job);
    expect(Number(defaultJob().fixed.epochs)).toBeGreaterThanOrEqual(3);
  });

  it("carry the SageMaker demo's search space, budget and metric", () => {
    const { job } = PRESETS.find((p) => p.id === 'sagemaker-cifar10')!;
    expect(job.parameters).toEqual({
      lr: { type: 'continuous', min: 0.2, max: 0.65, scale: 'linear' },
      momentum: { type: 'continuous', min: 0.87, max: 0.92, scale: 'linear' },
      epochs: { type: 'integer', min: 28, max: 35 },
      optimizer: { type: 'categorical', values: ['sgd', 'nag'] },
    });
    expect(job.fixed).toEqual({ model: 'resnet18', data: 'cifar10', batch_size: 512 });
    expect([job.maxJobs, job.maxParallelJobs, job.strategy, job.objective.goal]).toEqual([20, 2, 'bayesian', 'maximize']);
    expect(job.metricDefinitions).toEqual([{ name: 'Validation-accuracy', regex: 'Validation accuracy=([0-9\\.]+)' }]);
  });
});
