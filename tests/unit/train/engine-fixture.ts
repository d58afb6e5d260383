import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { loadTrainData } from '../../../src/lib/train/data';
import { readTrainConfig } from '../../../src/lib/train/hyperparameters';
import { train } from '../../../src/lib/train/loop';

/** Shared by the CPU and Dawn engine tests: the same assertions on whichever backend is active. */
export async function expectNoTensorLeaks(): Promise<void> {
  const config = readTrainConfig({ train_size: 32, val_size: 16, batch_size: 16, width: 2, epochs: 2, lr: 0.05 });
  const data = loadTrainData(config);
  const baseline = tf.memory().numTensors;
  const perEpoch: number[] = [];
  for (let trial = 0; trial < 2; trial++) {
    const lines: string[] = [];
    const outcome = await train(config, data, trial, {
      log: (line) => {
        lines.push(line);
        perEpoch.push(tf.memory().numTensors);
      },
      shouldStop: () => false,
    });
    expect(outcome.status).toBe('completed');
    expect(lines[0]).toMatch(/^Epoch 1, Train loss=\d+\.\d{4}, Validation accuracy=0\.\d{4}|1\.0000, Images\/s=/);
    expect(lines.at(-1)).toMatch(/^Final, Test accuracy=[01]\.\d{4}, Seconds=\d+\.\d$/);
    expect(tf.memory().numTensors).toBe(baseline);
  }
  // The model's weights and momentum live through a trial; nothing else may pile up between epochs.
  expect(new Set(perEpoch).size).toBe(1);
}
