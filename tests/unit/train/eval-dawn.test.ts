import { afterEach, describe, expect, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs';
import type { Activation } from '../../../src/lib/train/kernels/activation-wgsl';
import { countDispatches, expectClose, seededValues, useDawn } from './webgpu-probes';
import { randomImageSet as randomSet } from '../../fixtures/images';

/**
 * The evaluation pass with the engine's own kernels (Dawn/SwiftShader): BatchNorm+activation in one
 * dispatch on the running statistics, and batches built from the evaluated set kept on the GPU,
 * against the path it replaces (tfjs's BatchNorm and activation ops, each batch's pixels uploaded).
 */

let tf: typeof TF;
let registry: typeof import('../../../src/lib/train/kernels/registry');
useDawn(async (started) => {
  tf = started;
  registry = await import('../../../src/lib/train/kernels/registry');
});

afterEach(() => registry.useKernels('stock'));

describe('evaluation-mode BatchNorm+activation fused', () => {
  // C = 8 runs vec4 threads, C = 5 scalar ones; batch 1 and 3, a 7×7 map.
  const cases: { shape: [number, number, number, number]; activation: Activation }[] = [
    { shape: [3, 7, 7, 5], activation: 'relu' },
    { shape: [1, 4, 4, 8], activation: 'gelu' },
    { shape: [2, 5, 3, 8], activation: 'relu' },
    { shape: [3, 2, 2, 5], activation: 'gelu' },
  ];
  for (const { shape, activation } of cases) {
    it(`[${shape}] ${activation}: one dispatch, tfjs's batchNorm and activation on webgpu and on the CPU`, async () => {
      const { batchNormActInference } = await import('../../../src/lib/train/kernels/batchnorm-act');
      const { activate } = await import('../../../src/lib/train/models/ops');
      const channels = shape[3];
      const size = shape.reduce((a, b) => a * b, 1);
      const inputs = {
        x: Float32Array.from(seededValues(size, 1), (v) => 3 * v),
        mean: seededValues(channels, 2),
        // Running variances well above ε, some small, as after training.
        variance: Float32Array.from(seededValues(channels, 3), (v) => 0.05 + Math.abs(v)),
        scale: Float32Array.from(seededValues(channels, 4), (v) => 1 + 0.5 * v),
        bias: seededValues(channels, 5),
      };
      const tensors = () => ({
        x: tf.tensor4d(inputs.x, shape),
        mean: tf.tensor1d(inputs.mean),
        variance: tf.tensor1d(inputs.variance),
        scale: tf.tensor1d(inputs.scale),
        bias: tf.tensor1d(inputs.bias),
      });
      const reference = async () => {
        const t = tensors();
        const y = tf.tidy(() => activate(tf.batchNorm(t.x, t.mean, t.variance, t.bias, t.scale, 1e-5), activation));
        const values = (await y.data()) as Float32Array;
        tf.dispose([y, ...Object.values(t)]);
        return values;
      };
      const onGpu = await reference();
      await tf.setBackend('cpu');
      const onCpu = await reference();
      await tf.setBackend('webgpu');
      const t = tensors();
      const before = tf.memory().numTensors;
      const { count, result } = countDispatches(tf, () => batchNormActInference(t.x, t.mean, t.variance, t.scale, t.bias, 1e-5, activation));
      expect(count).toBe(1);
      const y = (await result.data()) as Float32Array;
      result.dispose();
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose(Object.values(t));
      expectClose(y, onGpu, 'against webgpu');
      expectClose(y, onCpu, 'against the CPU');
    });
  }
});

describe('evaluation batches from the resident set', () => {
  it('are the uploaded images and labels, exactly, and the set is uploaded once for repeated passes', async () => {
    const { assembleEvalBatch } = await import('../../../src/lib/train/kernels/batch-assembly');
    const { uploadImages, uploadLabels } = await import('../../../src/lib/train/batch');
    const { residentSet, residentDataStats, releaseResidentData } = await import('../../../src/lib/train/resident-data');
    const set = randomSet(11, 7);
    // Small chunks: the batch spans several buffers.
    const resident = residentSet(set, 'eval', { maxChunkBytes: 4 * 3072 })!;
    expect(resident.plan.chunks.length).toBeGreaterThan(1);
    const indices = [0, 10, 3, 4, 9];
    const before = tf.memory().numTensors;
    const own = assembleEvalBatch(resident, indices);
    const images = uploadImages(set, indices);
    const labels = uploadLabels(set, indices);
    expect(Array.from(await own.images.data())).toEqual(Array.from(await images.data()));
    expect(Array.from(await own.labels.data())).toEqual(Array.from(await labels.data()));
    expect(own.labels.dtype).toBe('int32');
    tf.dispose([own.images, own.labels, images, labels]);
    expect(tf.memory().numTensors).toBe(before);
    const uploads = residentDataStats('eval').uploads;
    residentSet({ ...set }, 'eval', { maxChunkBytes: 4 * 3072 });
    expect(residentDataStats('eval').uploads).toBe(uploads);
    releaseResidentData();
    expect(residentDataStats('eval').bytes).toBe(0);
  });
});

describe('evaluateAccuracy with the own kernels against the stock path', () => {
  // Each model's own TTA; tiny-cnn has no BatchNorm, so only its batches change.
  const cases = [
    { model: 'resnet9', width: 1 / 16, tta: 'flip' },
    { model: 'airbench', width: 1 / 16, tta: 'flip-translate' },
    { model: 'tiny-cnn', width: 4, tta: 'none' },
  ] as const;
  for (const { model, width, tta } of cases) {
    it(`${model}: the same accuracy and logits within tolerance, TTA ${tta}, no more dispatches, no leak`, async () => {
      const { createModel } = await import('../../../src/lib/train/models');
      const { evaluateAccuracy, predict } = await import('../../../src/lib/train/evaluate');
      const { uploadImages } = await import('../../../src/lib/train/batch');
      const { releaseResidentData, residentDataStats } = await import('../../../src/lib/train/resident-data');
      const set = randomSet(7, 5);
      const net = await createModel(model, width, 3, set);
      // Running statistics moved away from their start (0 and 1) by a few training-mode passes, as after training.
      const batch = uploadImages(set, [0, 1, 2, 3, 4, 5, 6]);
      for (let pass = 0; pass < 3; pass++) tf.tidy(() => net.forward(batch, true));
      batch.dispose();
      const run = async (kernels: 'custom' | 'stock') => {
        registry.useKernels(kernels);
        const accuracy = await evaluateAccuracy(net, set, 3, tta);
        const images = uploadImages(set, [0, 1, 2, 3, 4]);
        const { count, result: logits } = countDispatches(tf, () => predict(net, images, 'none'));
        const values = (await logits.data()) as Float32Array;
        tf.dispose([images, logits]);
        return { accuracy, values, count };
      };
      const before = tf.memory().numTensors;
      const custom = await run('custom');
      expect(residentDataStats('eval').bytes).toBeGreaterThan(0);
      const stock = await run('stock');
      expect(tf.memory().numTensors).toBe(before);
      expect(custom.accuracy).toBe(stock.accuracy);
      expectClose(custom.values, stock.values, 'logits');
      // The logits differ between images: a network that output a constant would pass the comparison.
      expect(new Set(Array.from(custom.values).map((v) => v.toFixed(4))).size).toBeGreaterThan(10);
      expect(custom.count).toBeLessThanOrEqual(stock.count);
      net.dispose();
      releaseResidentData();
    });
  }
});
