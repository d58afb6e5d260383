import type * as TF from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect } from 'vitest';

/**
 * What the Dawn tests look at besides values: how many dispatches a piece of work records, and what
 * a GPU buffer really holds. `tf` is passed in: the tests import tfjs only after Dawn is set up.
 */

/**
 * tfjs on its webgpu backend over Dawn (SwiftShader here). Dawn must be on navigator before
 * tfjs-backend-webgpu is imported: the package registers its backend only if WebGPU exists.
 */
export async function startDawn(): Promise<typeof TF> {
  await import('../../../src/cli/node-gpu');
  await import('@tensorflow/tfjs-backend-webgpu');
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('webgpu');
  await tf.ready();
  return tf;
}

/**
 * A Dawn test file's setup: tfjs started on Dawn before its tests (then `setup`, for the modules
 * that must load after it), and the device watched for validation errors over all of them, since a
 * bind group that does not match its shader fails on the device without a JavaScript error.
 */
export function useDawn(setup?: (tf: typeof TF) => Promise<void>): { device(): GPUDevice } {
  let device: GPUDevice | undefined;
  beforeAll(async () => {
    const tf = await startDawn();
    device = (tf.backend() as unknown as { device: GPUDevice }).device;
    device.pushErrorScope('validation');
    await setup?.(tf);
  });
  afterAll(async () => {
    expect(await device?.popErrorScope()).toBeNull();
  });
  return {
    device() {
      if (!device) throw new Error('Dawn is not started yet: call device() inside a test.');
      return device;
    },
  };
}

/** The values in the tensor's GPU buffer, not a copy cached on the CPU by an earlier read. */
export async function uncached(tf: typeof TF, t: TF.Tensor): Promise<Float32Array> {
  const copy = tf.add(t, 0);
  const values = (await copy.data()) as Float32Array;
  copy.dispose();
  return values;
}

/** How many dispatches `body` records on the webgpu backend (the profiler counts the same way). */
export function countDispatches<T>(tf: typeof TF, body: () => T): { count: number; result: T } {
  const backend = tf.backend() as unknown as { recordAndSubmit: (...args: unknown[]) => void };
  const record = backend.recordAndSubmit;
  let count = 0;
  backend.recordAndSubmit = function (this: unknown, ...args: unknown[]) {
    count++;
    return record.apply(this, args);
  };
  try {
    const result = body();
    return { count, result };
  } finally {
    backend.recordAndSubmit = record;
  }
}

/** max|a − b| ≤ relative·max|b| + 1e-6 over one output tensor: the kernels' tolerance (relative 1e-4 in fp32). */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what = 'values', relative = 1e-4): void {
  expect(actual.length, what).toBe(expected.length);
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]));
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  }
  expect(worst, `${what}: max|a − b| = ${worst} at max|b| = ${scale}`).toBeLessThanOrEqual(relative * scale + 1e-6);
}


/** Values in [−1, 1) from a small LCG: the same inputs on every backend without going through one of them. */
export function seededValues(size: number, seed: number): Float32Array {
  let state = seed >>> 0 || 1;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 31 - 1;
  }
  return out;
}
