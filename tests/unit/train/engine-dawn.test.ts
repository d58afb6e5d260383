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

  it('leaves tf.memory().numTensors flat across epochs and trials', async () => {
    const { expectNoTensorLeaks } = await import('./engine-fixture');
    await expectNoTensorLeaks();
  });
});
