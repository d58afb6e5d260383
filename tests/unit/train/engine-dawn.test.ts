import { beforeAll, describe, expect, it } from 'vitest';

// Dawn must be on navigator before tfjs-backend-webgpu is imported: it registers only if WebGPU exists.
beforeAll(async () => {
  await import('../../../src/cli/node-gpu');
  await import('@tensorflow/tfjs-backend-webgpu');
});

describe('training engine on WebGPU in Node (Dawn)', () => {
  it('starts the webgpu backend on a real adapter', async () => {
    const { initBackend } = await import('../../../src/lib/train/backend');
    const info = await initBackend(['webgpu']);
    expect(info.backend).toBe('webgpu');
    expect(info.adapter?.architecture).toBeTruthy();
  });

  it('leaves tf.memory().numTensors flat across epochs and trials, with EMA, TTA and augmentation on', async () => {
    const { expectNoTensorLeaks } = await import('./engine-fixture');
    await expectNoTensorLeaks();
  });

  it('augments on the device exactly as on the CPU', async () => {
    const tf = await import('@tensorflow/tfjs');
    const { translateFlip, cutout } = await import('../../../src/lib/train/augment');
    const x = tf.reshape(tf.range(0, 2 * 5 * 6 * 2), [2, 5, 6, 2]) as import('@tensorflow/tfjs').Tensor4D;
    const onDevice = await cutout(translateFlip(x, [2, -1], [-3, 1], [1, 0]), [0, 3], [4, -1], 2).array();
    await tf.setBackend('cpu');
    const onCpu = await cutout(translateFlip(tf.reshape(tf.range(0, 120), [2, 5, 6, 2]) as typeof x, [2, -1], [-3, 1], [1, 0]), [0, 3], [4, -1], 2).array();
    await tf.setBackend('webgpu');
    expect(onDevice).toEqual(onCpu);
  });

  it('learns the synthetic set well above chance (10%)', async () => {
    const { expectLearning } = await import('./engine-fixture');
    await expectLearning();
  });
});
