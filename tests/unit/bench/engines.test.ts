import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRunner, timeSteps } from '../../../bench/train/engines';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('bench engines', () => {
  it.each(['custom', 'stock', 'tfjs-layers'] as const)('%s steps leave no tensors behind and dispose cleanly', async (engine) => {
    const runner = await createRunner(engine, 'tiny-cnn', 1 / 16, 2);
    await timeSteps(runner, 1); // the optimizer makes its slots on the first step
    const before = tf.memory().numTensors;
    expect(await timeSteps(runner, 2)).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
    runner.dispose();
  });
});
