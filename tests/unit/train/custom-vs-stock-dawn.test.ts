import { beforeAll, describe, expect, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs';
import type { ModelName } from '../../../src/lib/recipe/hyperparameters';
import { startDawn } from './webgpu-probes';

let tf: typeof TF;
beforeAll(async () => {
  tf = await startDawn();
});

const STEPS = 20;

/**
 * The loop's own step (bench:train's runner: the resident batch, the model's forward, the loss and
 * the SGD update), 20 times from the same seed, on the engine's kernels or on tfjs's.
 */
async function losses(model: ModelName, kernels: 'custom' | 'stock'): Promise<number[]> {
  const { createRunner } = await import('../../../bench/train/engines');
  const { useKernels } = await import('../../../src/lib/train/kernels/registry');
  const runner = await createRunner(kernels, model, 1 / 16, 2);
  const out: number[] = [];
  try {
    for (let step = 0; step < STEPS; step++) {
      const loss = runner.step();
      out.push((await loss.data())[0]);
      loss.dispose();
    }
  } finally {
    runner.dispose();
    useKernels('stock');
  }
  return out;
}

describe('custom kernels against stock kernels over 20 training steps (Dawn)', () => {
  for (const model of ['resnet9', 'airbench'] as const) {
    it(`${model}: the losses of the first ${STEPS} steps agree within 1e-3 relative`, async () => {
      const before = tf.memory().numTensors;
      const device = (tf.backend() as unknown as { device: GPUDevice }).device;
      device.pushErrorScope('validation');
      const custom = await losses(model, 'custom');
      const stock = await losses(model, 'stock');
      expect(await device.popErrorScope()).toBeNull();
      expect(tf.memory().numTensors).toBe(before);
      expect(custom).toHaveLength(STEPS);
      custom.forEach((loss, i) => {
        expect(Number.isFinite(loss)).toBe(true);
        expect(Math.abs(loss - stock[i]), `step ${i + 1}: custom ${loss}, stock ${stock[i]}`).toBeLessThanOrEqual(1e-3 * Math.abs(stock[i]));
      });
      // The steps trained: the loss moved, so agreement is not two frozen models agreeing.
      expect(Math.abs(custom[STEPS - 1] - custom[0])).toBeGreaterThan(1e-3);
    }, 240_000);
  }
});
