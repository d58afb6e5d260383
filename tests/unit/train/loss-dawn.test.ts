import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs';
import { countDispatches, expectClose, startDawn } from './webgpu-probes';

/** The fused softmax cross-entropy (kernels/softmax-cross-entropy.ts) against tf.losses on webgpu and on the CPU. */

let tf: typeof TF;
let device: GPUDevice;
beforeAll(async () => {
  tf = await startDawn();
  device = (tf.backend() as unknown as { device: GPUDevice }).device;
  // A bind group that does not match its shader fails on the device without a JavaScript error.
  device.pushErrorScope('validation');
});

afterAll(async () => {
  expect(await device.popErrorScope()).toBeNull();
});

interface Case {
  rows: number;
  classes: number;
  smoothing: number;
  /** Logit spread: large values check the max shift (exp(±80) overflows f32 unshifted). */
  spread: number;
}

function data(k: Case, seed: number) {
  let s = seed;
  const next = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const logits = Float32Array.from({ length: k.rows * k.classes }, () => (next() - 0.5) * 2 * k.spread);
  const labels = Array.from({ length: k.rows }, () => Math.floor(next() * k.classes));
  return { logits, labels };
}

/** Loss and logits gradient from `lossFn`, on the current backend. */
async function run(k: Case, seed: number, lossFn: (t: TF.Tensor2D, z: TF.Tensor2D) => TF.Scalar) {
  const { logits, labels } = data(k, seed);
  const z = tf.tensor2d(logits, [k.rows, k.classes]);
  // A lossless cast keeps the int32 buffer (odd seeds); arithmetic makes a float32 one (even seeds, as the resident batch).
  const t = tf.tidy(() => {
    const onehot = tf.oneHot(tf.tensor1d(labels, 'int32'), k.classes).toFloat();
    return seed % 2 === 1 ? onehot : tf.mul(onehot, tf.scalar(1));
  }) as TF.Tensor2D;
  const { value, grads } = tf.valueAndGrads((x: TF.Tensor) => lossFn(t, x as TF.Tensor2D))([z]);
  const out = { loss: (await value.data()) as Float32Array, grad: (await grads[0].data()) as Float32Array };
  tf.dispose([z, t, value, ...grads]);
  return out;
}

const stock = (smoothing: number) => (t: TF.Tensor2D, z: TF.Tensor2D) => tf.losses.softmaxCrossEntropy(t, z, undefined, smoothing) as TF.Scalar;

describe('fused softmax cross-entropy on WebGPU (Dawn)', () => {
  const cases: Case[] = [
    { rows: 8, classes: 10, smoothing: 0.2, spread: 3 },
    { rows: 3, classes: 10, smoothing: 0, spread: 1 },
    // More rows than the workgroup's 64 threads, and logits that overflow exp() unshifted.
    { rows: 70, classes: 10, smoothing: 0.1, spread: 80 },
    { rows: 5, classes: 7, smoothing: 0.3, spread: 5 },
  ];
  cases.forEach((k, i) => {
    it(`[${k.rows}, ${k.classes}] smoothing ${k.smoothing}, logits ±${k.spread}: loss and gradient match tf.losses on webgpu and on the CPU`, async () => {
      const { softmaxCrossEntropy } = await import('../../../src/lib/train/kernels/softmax-cross-entropy');
      const fused = (t: TF.Tensor2D, z: TF.Tensor2D) => softmaxCrossEntropy(t, z, k.smoothing);
      const before = tf.memory().numTensors;
      const mine = await run(k, 100 + i, fused);
      expect(tf.memory().numTensors).toBe(before);
      const webgpu = await run(k, 100 + i, stock(k.smoothing));
      await tf.setBackend('cpu');
      const cpu = await run(k, 100 + i, stock(k.smoothing)).finally(() => tf.setBackend('webgpu'));
      for (const [label, reference] of [['webgpu', webgpu], ['cpu', cpu]] as const) {
        expectClose(mine.loss, reference.loss, `${label} loss`);
        expectClose(mine.grad, reference.grad, `${label} gradient`);
      }
      expect(Number.isFinite(mine.loss[0])).toBe(true);
    });
  });

  it('runs in one dispatch forward and one backward', async () => {
    const { softmaxCrossEntropy } = await import('../../../src/lib/train/kernels/softmax-cross-entropy');
    const z = tf.randomNormal([8, 10], 0, 1, 'float32', 1) as TF.Tensor2D;
    const t = tf.tidy(() => tf.oneHot(tf.tensor1d([1, 2, 3, 4, 5, 6, 7, 8], 'int32'), 10).toFloat()) as TF.Tensor2D;
    const forward = countDispatches(tf, () => softmaxCrossEntropy(t, z, 0.2));
    expect(forward.count).toBe(1);
    forward.result.dispose();
    // The gradient's dy seed is a fill of its own; the rest is the forward and backward dispatch.
    const both = countDispatches(tf, () => tf.grad((x: TF.Tensor) => softmaxCrossEntropy(t, x as TF.Tensor2D, 0.2))(z));
    expect(both.count).toBeLessThanOrEqual(3);
    tf.dispose([z, t, both.result]);
  });
});
