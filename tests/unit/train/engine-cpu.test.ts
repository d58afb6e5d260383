import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTrainData } from '../../../src/lib/train/data';
import { readTrainConfig } from '../../../src/lib/train/hyperparameters';
import { train } from '../../../src/lib/train/loop';
import { expectNoTensorLeaks } from './engine-fixture';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('training engine on the CPU backend', () => {
  it('leaves tf.memory().numTensors flat across epochs and trials', expectNoTensorLeaks);

  it('learns the synthetic set well above chance (10%) in a few dozen steps', async () => {
    const config = readTrainConfig({ train_size: 160, val_size: 100, batch_size: 16, width: 4, epochs: 3, lr: 0.05 });
    const outcome = await train(config, loadTrainData(config), 1, { log: () => {}, shouldStop: () => false });
    expect(outcome.status).toBe('completed');
    if (outcome.status === 'completed') expect(outcome.valAccuracy).toBeGreaterThan(0.35);
  });

  it('stops softly at a step boundary when asked', async () => {
    const config = readTrainConfig({ train_size: 64, val_size: 16, batch_size: 16, width: 2 });
    const lines: string[] = [];
    let polls = 0;
    const before = tf.memory().numTensors;
    const outcome = await train(config, loadTrainData(config), 1, { log: (l) => lines.push(l), shouldStop: () => ++polls > 2 });
    expect(outcome).toEqual({ status: 'stopped' });
    expect(lines).toEqual(['Stopped at step 2 of 4']);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('fails with "diverged" when the loss is not finite', async () => {
    const config = readTrainConfig({ train_size: 32, val_size: 16, batch_size: 16, width: 2, lr: 1e30, momentum: 0.9 });
    const before = tf.memory().numTensors;
    await expect(train(config, loadTrainData(config), 1, { log: () => {}, shouldStop: () => false })).rejects.toThrow(/^diverged/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses out-of-range hyperparameters with a clear reason', () => {
    expect(() => readTrainConfig({ lr: -0.1 })).toThrow('lr must be above 0; got -0.1.');
    expect(() => readTrainConfig({ train_size: 32, batch_size: 64 })).toThrow('batch_size (64) is larger than the training set (32 images).');
    expect(() => readTrainConfig({ model: 'resnet9000' })).toThrow(/model must be one of tiny-cnn/);
    expect(() => readTrainConfig({ momentum: 1 })).toThrow(/momentum must be in \[0, 1\)/);
  });
});
