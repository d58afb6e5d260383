import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { syntheticSplits, type DataSplits } from '../../../src/lib/data/splits';
import { readTrainConfig, type RawHyperparameters, type TrainConfig } from '../../../src/lib/recipe/hyperparameters';
import { train } from '../../../src/lib/train/loop';

/** The synthetic splits of the sizes a config names, as the trainer worker builds them. */
export function syntheticFor(config: TrainConfig): DataSplits {
  return syntheticSplits({ train: config.trainSize, val: config.valSize, test: config.testSize });
}

/** The whole recipe switched on: EMA, lookahead, every augmentation, cycled momentum, the heaviest TTA. */
export const FULL_RECIPE: RawHyperparameters = {
  ema: true,
  ema_decay: 0.9,
  lookahead: true,
  tta: 'flip-translate',
  crop_pad: 2,
  flip: 'alternating',
  cutout: 4,
  momentum_cycle: 0.05,
  label_smoothing: 0.1,
  weight_decay: 5e-4,
};

/**
 * Shared by the CPU and Dawn engine tests: the same assertions on whichever backend is active.
 * Two trials of 1.5 epochs (the last one partial) must leave no tensor behind, and the count
 * must be the same at every epoch line and the final line.
 */
export async function expectNoTensorLeaks(overrides: RawHyperparameters = {}): Promise<void> {
  const config = readTrainConfig({ train_size: 32, val_size: 16, batch_size: 16, width: 2, epochs: 1.5, lr: 0.05, ...FULL_RECIPE, ...overrides });
  const data = syntheticFor(config);
  const baseline = tf.memory().numTensors;
  const perEpoch: number[] = [];
  for (let trial = 0; trial < 2; trial++) {
    const lines: string[] = [];
    const outcome = await train(config, data, trial, {
      log: (line) => {
        lines.push(line);
        // The Hyperparameters and Kernels lines come before the model exists; count from the first epoch on.
        if (lines.length > 2) perEpoch.push(tf.memory().numTensors);
      },
      shouldStop: () => false,
    });
    expect(outcome.status).toBe('completed');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^Hyperparameters \{"recipe":\d+,/);
    expect(lines[1]).toMatch(/^Kernels: (stock|custom) \(.+\), fp(32|16)/);
    expect(lines[2]).toMatch(/^Epoch 1, Train loss=\d+\.\d{4}, Validation accuracy=(0\.\d{4}|1\.0000), Images\/s=\d+\.\d$/);
    expect(lines[3]).toMatch(/^Epoch 2, /);
    expect(lines.at(-1)).toMatch(/^Final, Test accuracy=[01]\.\d{4}, Seconds=\d+\.\d$/);
    expect(tf.memory().numTensors).toBe(baseline);
  }
  // The model's weights, momentum and EMA live through a trial; nothing else may pile up between epochs.
  expect(new Set(perEpoch).size).toBe(1);
}

/** A short run (20 steps) on a learnable set must end well above chance (10%). */
export async function expectLearning(): Promise<void> {
  const config = readTrainConfig({ train_size: 160, val_size: 60, test_size: 10, batch_size: 32, width: 4, epochs: 4, lr: 0.2 });
  const outcome = await train(config, syntheticFor(config), 1, { log: () => {}, shouldStop: () => false });
  expect(outcome.status).toBe('completed');
  if (outcome.status === 'completed') expect(outcome.valAccuracy).toBeGreaterThan(0.35);
}
