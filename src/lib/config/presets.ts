import { DEFAULT_METRIC } from '../metrics';
import { RECIPE_VERSION } from '../recipe/hyperparameters';
import { DEFAULT_RETRIES, JOB_VERSION } from './constants';
import type { JobDefinition } from './job';

/** A whole job the page can start from: the form takes all of it. */
export interface Preset {
  id: string;
  label: string;
  /** Where its ranges and settings come from, shown under the select. */
  source: string;
  job: JobDefinition;
}

const base = (): Pick<JobDefinition, 'version' | 'recipeVersion' | 'objective' | 'metricDefinitions' | 'strategy' | 'earlyStopping' | 'seed' | 'completion' | 'retries'> => ({
  version: JOB_VERSION,
  recipeVersion: RECIPE_VERSION,
  objective: { metric: DEFAULT_METRIC.name, goal: 'maximize' },
  metricDefinitions: [{ ...DEFAULT_METRIC }],
  strategy: 'bayesian',
  earlyStopping: 'off',
  seed: 1,
  completion: {},
  retries: DEFAULT_RETRIES,
});

/**
 * Small enough for a software GPU: 8 trials of 3 epochs finish in about a minute in headless
 * Chromium on SwiftShader (docs/PERFORMANCE.md), and the synthetic set is learnable in that time.
 */
export function quickDemoJob(): JobDefinition {
  return {
    ...base(),
    parameters: {
      lr: { type: 'continuous', min: 0.003, max: 0.3, scale: 'log' },
      momentum: { type: 'continuous', min: 0.8, max: 0.95, scale: 'linear' },
      optimizer: { type: 'categorical', values: ['sgd', 'nag'] },
    },
    fixed: { model: 'tiny-cnn', data: 'synthetic', train_size: 160, val_size: 64, batch_size: 16, epochs: 3, width: 4 },
    maxJobs: 8,
    maxParallelJobs: 2,
  };
}

export const PRESETS: readonly Preset[] = [
  {
    id: 'quick-demo',
    label: 'Quick demo (synthetic)',
    source: 'tiny-cnn on the built-in synthetic set, sized to finish 8 trials in about a minute even without a GPU.',
    job: quickDemoJob(),
  },
  {
    id: 'sagemaker-cifar10',
    label: 'SageMaker CIFAR-10 (3m47s recipe)',
    source:
      'Ranges, budget and metric of the SageMaker Automatic Model Tuning demo that tuned a ResNet to 94% on CIFAR-10 in 3m47s on one GPU (one-cycle learning rate, batch 512, about 30 epochs); resnet18 is the closest network here.',
    job: {
      ...base(),
      parameters: {
        lr: { type: 'continuous', min: 0.2, max: 0.65, scale: 'linear' },
        momentum: { type: 'continuous', min: 0.87, max: 0.92, scale: 'linear' },
        epochs: { type: 'integer', min: 28, max: 35 },
        optimizer: { type: 'categorical', values: ['sgd', 'nag'] },
      },
      fixed: { model: 'resnet18', data: 'cifar10', batch_size: 512 },
      maxJobs: 20,
      maxParallelJobs: 2,
    },
  },
  {
    id: 'airbench',
    label: 'airbench (fast)',
    source:
      "airbench94's recipe (Keller Jordan's fast CIFAR-10 training: whitening, 9.9 epochs, batch 1024, lr 1.5 per mean-loss gradient here), searching lr, weight decay and label smoothing around it.",
    job: {
      ...base(),
      parameters: {
        lr: { type: 'continuous', min: 0.75, max: 3, scale: 'log' },
        weight_decay: { type: 'continuous', min: 0.003, max: 0.03, scale: 'log' },
        label_smoothing: { type: 'continuous', min: 0, max: 0.3, scale: 'linear' },
      },
      fixed: { model: 'airbench', data: 'cifar10' },
      maxJobs: 16,
      maxParallelJobs: 2,
    },
  },
];
