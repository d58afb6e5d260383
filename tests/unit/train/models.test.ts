import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { symmetricEigen } from '../../../src/lib/train/eigen';
import type { ModelName } from '../../../src/lib/recipe/hyperparameters';
import { countParams, createModel } from '../../../src/lib/train/models';
import { patchCovariance, whiteningFilter } from '../../../src/lib/train/models/whitening';
import { makeSyntheticSet } from '../../../src/lib/data/synthetic';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const images = makeSyntheticSet(24, 5);

/**
 * Trainable parameters at width 1, derived by hand (see each model's doc comment):
 * resnet9: convs 6,563,520 + BN scale/bias 4,480 + linear 5,120 (no bias).
 * airbench: convs 1,967,616 + BN biases 1,152 + linear 2,560 + whitening bias 24 (the 288 whitening weights are frozen).
 * resnet18: stem 1,728 + stages 147,968 / 525,184 / 2,098,944 / 2,426,880 + linear 5,130.
 */
const FULL: Record<ModelName, number> = { resnet9: 6_573_120, airbench: 1_971_352, resnet18: 5_205_834, 'tiny-cnn': 1_562 };

describe('models', () => {
  it.each(Object.entries(FULL) as [ModelName, number][])('%s has %i parameters at full width and maps images to 10 logits', async (name, count) => {
    const before = tf.memory().numTensors;
    const model = await createModel(name, name === 'tiny-cnn' ? 8 : 1, 1, images);
    expect(countParams(model)).toBe(count);
    const x = tf.zeros([1, 32, 32, 3]) as tf.Tensor4D;
    const y = model.forward(x, false);
    expect(y.shape).toEqual([1, 10]);
    tf.dispose([x, y]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('scales widths and keeps the airbench whitening at 24 channels', async () => {
    const model = await createModel('airbench', 1 / 16, 1, images);
    expect(model.constants[0].shape).toEqual([2, 2, 3, 24]);
    // 24·4·9 + 4·4·9 + 4·16·9 + 16·16·9 + 16·16·9 + 16·16·9 convs, 4+4+16·4 BN biases, 16·10 linear, 24 whitening bias.
    expect(countParams(model)).toBe(864 + 144 + 576 + 2304 * 3 + 72 + 160 + 24);
    model.dispose();
  });

  it('trains BatchNorm on batch statistics, updates the running ones, and evaluates on them (or on given weights)', async () => {
    const model = await createModel('resnet9', 1 / 32, 3, images);
    const x = tf.randomNormal([4, 32, 32, 3], 2, 3, 'float32', 9) as tf.Tensor4D;
    const runningBefore = model.buffers.map((b) => b.dataSync().slice());
    const evalBefore = model.forward(x, false);
    const trained = model.forward(x, true);
    expect(model.buffers.some((b, i) => b.dataSync().some((v, j) => v !== runningBefore[i][j]))).toBe(true);
    const evalAfter = model.forward(x, false);
    expect(tf.max(tf.abs(tf.sub(evalAfter, evalBefore))).dataSync()[0]).toBeGreaterThan(1e-4);
    // Training mode does not depend on the running statistics: the same batch gives the same logits.
    const trainedAgain = model.forward(x, true);
    expect(tf.max(tf.abs(tf.sub(trainedAgain, trained))).dataSync()[0]).toBeLessThan(1e-5);
    // Evaluation on an explicit state equals evaluation on the live variables when the state is a copy of them.
    const state = [...model.params.map((p) => p.variable.clone()), ...model.buffers.map((b) => b.clone())];
    const viaState = model.forward(x, false, state);
    const evalNow = model.forward(x, false);
    expect(tf.max(tf.abs(tf.sub(viaState, evalNow))).dataSync()[0]).toBe(0);
    tf.dispose([x, evalBefore, trained, evalAfter, trainedAgain, viaState, evalNow, ...state]);
    model.dispose();
  });

  it('initializes airbench convs as identity on their first channels', async () => {
    const model = await createModel('airbench', 1 / 8, 1, images);
    const first = model.params.find((p) => p.variable.shape.length === 4)!.variable; // 3×3×24×8
    const w = first.arraySync() as number[][][][];
    expect(w[1][1][3][3]).toBe(1);
    expect(w[1][1][2][3]).toBe(0);
    expect(w[0][0][3][3]).toBe(0);
    model.dispose();
  });
});

describe('patch whitening', () => {
  it('decomposes a symmetric matrix into eigenpairs', () => {
    const a = [[4, 1, 2], [1, 3, 0.5], [2, 0.5, 5]];
    const { values, vectors } = symmetricEigen(a);
    expect(values[0]).toBeGreaterThanOrEqual(values[1]);
    values.forEach((lambda, k) => {
      const v = vectors[k];
      a.forEach((row, i) => expect(row.reduce((s, aij, j) => s + aij * v[j], 0)).toBeCloseTo(lambda * v[i], 10));
    });
    expect(values.reduce((s, v) => s + v, 0)).toBeCloseTo(12, 10);
  });

  it('makes the covariance of the filtered patches the identity (up to the epsilon)', async () => {
    const filter = await whiteningFilter(images);
    const cov = await patchCovariance(images, images.count);
    const w = (filter.arraySync() as number[][][][]).flat(2); // [12 features][24 outputs]
    for (const [i, j] of [[0, 0], [5, 5], [11, 11], [0, 1], [3, 7]]) {
      let s = 0;
      for (let a = 0; a < 12; a++) for (let b = 0; b < 12; b++) s += w[a][i] * cov[a][b] * w[b][j];
      // λ / (λ + ε) on the diagonal: within 1% unless an eigenvalue is tiny.
      expect(s).toBeCloseTo(i === j ? 1 : 0, 1);
    }
    // The second half is the negation of the first.
    expect(w[4][14]).toBeCloseTo(-w[4][2], 6);
    filter.dispose();
  });
});
