import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs';
import type { Placement } from '../../../src/lib/train/augment';
import { startDawn } from './webgpu-probes';
import { randomImageSet as randomSet } from '../../fixtures/images';

let tf: typeof TF;
beforeAll(async () => {
  tf = await startDawn();
});

const PIXELS = 32 * 32 * 3;
/** Two images per buffer, so a 7-image set spans four. */
const SMALL_CHUNKS = { maxChunkBytes: 2 * PIXELS + 8 };

const device = () => (tf.backend() as unknown as { device: GPUDevice }).device;
const allocated = () => (tf.memory() as unknown as { numBytesAllocatedInGPU: number }).numBytesAllocatedInGPU;

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

afterEach(async () => {
  const { releaseResidentData } = await import('../../../src/lib/train/resident-data');
  releaseResidentData();
});

describe('training set resident on the GPU (Dawn)', () => {
  it('assembles exactly the batch that augment(uploadImages()) makes, from every chunk, at the extremes', async () => {
    const { residentTrainingSet } = await import('../../../src/lib/train/resident-data');
    const { assembleBatch } = await import('../../../src/lib/train/kernels/batch-assembly');
    const { augment, drawPlacement } = await import('../../../src/lib/train/augment');
    const { uploadImages, uploadLabels } = await import('../../../src/lib/train/batch');
    const { createRng } = await import('../../../src/lib/rng');
    const set = randomSet(7, 11);
    const resident = residentTrainingSet(set, SMALL_CHUNKS)!;
    expect(resident.plan.chunks.map((c) => c.count)).toEqual([2, 2, 2, 1]);
    const pad = 4;
    const cut = 8;
    const fixed = (dy: number[], dx: number[], flip: number[], cutout?: [number[], number[]]): Placement => ({
      dy: Int32Array.from(dy),
      dx: Int32Array.from(dx),
      flip: Uint8Array.from(flip),
      cutout: cutout && { y: Int32Array.from(cutout[0]), x: Int32Array.from(cutout[1]), size: cut },
    });
    const rng = createRng(3);
    const cases: { indices: number[]; placement: Placement }[] = [
      // Batch 1: the last chunk's only image, shifted to the far corner, mirrored, cut out at the bottom-right edge.
      { indices: [6], placement: fixed([pad], [-pad], [1], [[32 - cut], [32 - cut]]) },
      { indices: [0], placement: fixed([-pad], [pad], [0]) },
      // Batch 3 from three chunks: shifts at both extremes, mixed flips, cutout at the top-left and left edges.
      { indices: [5, 0, 3], placement: fixed([-pad, pad, 0], [pad, -pad, 1], [0, 1, 1], [[0, 13, 32 - cut], [0, 32 - cut, 0]]) },
      // Random placements as the loop draws them.
      { indices: [1, 6, 2], placement: drawPlacement(rng, [1, 6, 2], 1, { cropPad: pad, flip: 'random', cutout: cut }, new Uint8Array(7), 32) },
      { indices: [4, 4, 6, 0, 3], placement: drawPlacement(rng, [4, 4, 6, 0, 3], 2, { cropPad: 2, flip: 'alternating', cutout: 0 }, Uint8Array.from([1, 0, 1, 0, 1, 0, 1]), 32) },
    ];
    for (const { indices, placement } of cases) {
      const before = tf.memory().numTensors;
      device().pushErrorScope('validation');
      const built = assembleBatch(resident, indices, placement);
      expect(await device().popErrorScope()).toBeNull();
      expect(tf.memory().numTensors).toBe(before + 2);
      const expected = tf.tidy(() => augment(uploadImages(set, indices), placement));
      const expectedTargets = tf.tidy(() => tf.oneHot(uploadLabels(set, indices), 10));
      expect(built.images.shape).toEqual([indices.length, 32, 32, 3]);
      expect(built.targets.dtype).toBe('float32');
      const got = await built.images.data();
      // Bit-exact on SwiftShader; a GPU may round the division differently in another shader.
      expect(maxDiff(got, await expected.data())).toBeLessThanOrEqual(1e-6);
      expect(Array.from(await built.targets.data())).toEqual(Array.from(await expectedTargets.data()));
      if (placement.cutout) expect(got.filter((v) => v === 0).length).toBeGreaterThanOrEqual(indices.length * cut * cut * 3);
      tf.dispose([built.images, built.targets, expected, expectedTargets]);
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('uploads a set once, recognizes the same memory through a new view, and frees it when the data changes', async () => {
    const { residentDataStats, residentTrainingSet, releaseResidentData, retainResidentData } = await import('../../../src/lib/train/resident-data');
    const set = randomSet(5, 4);
    const bytesBefore = allocated();
    const uploadsBefore = residentDataStats().uploads;
    const first = residentTrainingSet(set, SMALL_CHUNKS)!;
    expect(first.plan.chunks).toHaveLength(3);
    expect(allocated() - bytesBefore).toBe(first.bytes);
    // A split made again for the next trial: another object over the same bytes.
    expect(residentTrainingSet({ ...set, images: set.images.subarray(0), labels: set.labels.subarray(0) }, SMALL_CHUNKS)).toBe(first);
    expect(residentDataStats()).toEqual({ bytes: first.bytes, uploads: uploadsBefore + 1 });
    // The worker's check when a trial's data is known: the same data keeps the copy, other data frees it.
    retainResidentData({ ...set });
    expect(residentDataStats().bytes).toBe(first.bytes);
    retainResidentData(randomSet(5, 4));
    expect(residentDataStats().bytes).toBe(0);
    expect(allocated()).toBe(bytesBefore);
    const other = residentTrainingSet(randomSet(3, 5), SMALL_CHUNKS)!;
    expect(other).not.toBe(first);
    expect(allocated() - bytesBefore).toBe(other.bytes);
    expect(residentDataStats().uploads).toBe(uploadsBefore + 2);
    expect(residentTrainingSet(set, SMALL_CHUNKS)).not.toBe(first);
    // Device-sized buffers: the whole set in one.
    expect(residentTrainingSet(set)!.plan.chunks).toHaveLength(1);
    releaseResidentData();
    expect(allocated()).toBe(bytesBefore);
    expect(residentDataStats().bytes).toBe(0);
  });

  it('gives the stock path its losses with the custom path, step for step', async () => {
    const { useKernels } = await import('../../../src/lib/train/kernels/registry');
    const { createModel } = await import('../../../src/lib/train/models');
    const { SgdMomentum } = await import('../../../src/lib/train/optimizer');
    const { drawPlacement } = await import('../../../src/lib/train/augment');
    const { batchLoss, trainingBatch } = await import('../../../src/lib/train/training-batch');
    const { residentDataStats } = await import('../../../src/lib/train/resident-data');
    const { createRng } = await import('../../../src/lib/rng');
    const set = randomSet(12, 9);
    const losses = async (kernels: 'custom' | 'stock') => {
      useKernels(kernels);
      const model = await createModel('tiny-cnn', 4, 1, set);
      const optimizer = new SgdMomentum(model.params.map((p) => ({ variable: p.variable, lrScale: 1 })), { nesterov: true, weightDecay: 5e-4, kernels });
      const rng = createRng(2);
      const out: number[] = [];
      const before = tf.memory().numTensors;
      device().pushErrorScope('validation');
      for (let step = 0; step < 3; step++) {
        const indices = [(step * 5) % 12, (step * 5 + 7) % 12, (step * 5 + 3) % 12, 11 - step];
        const placement = drawPlacement(rng, indices, 1, { cropPad: 2, flip: 'random', cutout: 6 }, new Uint8Array(12), 32);
        const batch = trainingBatch(set, indices, placement);
        const loss = optimizer.step(() => batchLoss(model, batch, 0.2), 0.05, 0.9);
        tf.dispose([batch.images, batch.targets]);
        out.push((await loss.data())[0]);
        loss.dispose();
      }
      expect(await device().popErrorScope()).toBeNull();
      expect(tf.memory().numTensors).toBe(before);
      optimizer.dispose();
      model.dispose();
      return out;
    };
    const uploads = residentDataStats().uploads;
    const custom = await losses('custom');
    expect(residentDataStats().uploads).toBe(uploads + 1);
    const stock = await losses('stock');
    useKernels('stock');
    custom.forEach((loss, i) => expect(Math.abs(loss - stock[i])).toBeLessThanOrEqual(1e-3 * Math.abs(stock[i])));
    expect(new Set(custom).size).toBe(3);
  });

  it('holds the same GPU memory after trial 1 and trial 3 of train(), the training set uploaded once', async () => {
    const { useKernels } = await import('../../../src/lib/train/kernels/registry');
    const { readTrainConfig } = await import('../../../src/lib/recipe/hyperparameters');
    const { syntheticSplits } = await import('../../../src/lib/data/splits');
    const { train } = await import('../../../src/lib/train/loop');
    const { residentDataStats } = await import('../../../src/lib/train/resident-data');
    const config = readTrainConfig({ model: 'tiny-cnn', train_size: 16, val_size: 4, test_size: 4, batch_size: 8, width: 2, epochs: 1, crop_pad: 2, cutout: 4, kernels: 'custom' });
    const data = syntheticSplits({ train: config.trainSize, val: config.valSize, test: config.testSize });
    useKernels('custom');
    const uploads = residentDataStats().uploads;
    const after: number[] = [];
    const tensors: number[] = [];
    for (let trial = 0; trial < 3; trial++) {
      const lines: string[] = [];
      const outcome = await train(config, data, trial, { log: (line) => lines.push(line), shouldStop: () => false });
      expect(outcome.status).toBe('completed');
      expect(lines[1]).toMatch(/^Kernels: custom \(.*training set resident on the GPU \(1 buffer, 0\.0 MB\), batch assembled in 2 dispatches/);
      after.push(allocated());
      tensors.push(tf.memory().numTensors);
    }
    useKernels('stock');
    expect(residentDataStats().uploads).toBe(uploads + 1);
    expect(residentDataStats().bytes).toBe(16 * PIXELS + 16);
    expect(after[2]).toBe(after[0]);
    expect(new Set(tensors).size).toBe(1);
  });
});
