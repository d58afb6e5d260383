import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { effectiveLr, readTrainConfig, type RawHyperparameters } from '../../../src/lib/recipe/hyperparameters';
import { Lookahead, lookaheadDecay } from '../../../src/lib/train/ema';
import { train } from '../../../src/lib/train/loop';
import { createModel } from '../../../src/lib/train/models';
import { AIRBENCH_BN } from '../../../src/lib/train/models/airbench';
import { addBatchNorm, batchNorm, type BatchNormOptions } from '../../../src/lib/train/models/layers';
import { ModelState } from '../../../src/lib/train/models/model';
import { SgdMomentum } from '../../../src/lib/train/optimizer';
import { makeSyntheticSet } from '../../../src/lib/data/synthetic';
import { syntheticFor } from './engine-fixture';

/** Recipe fidelity to airbench94 and Page's ResNet-9 (docs/RECIPES.md). */

beforeAll(async () => {
  await tf.setBackend('cpu');
});

afterEach(() => {
  vi.restoreAllMocks();
});

const quiet = { log: () => {}, shouldStop: () => false };

/** One BatchNorm over a batch's channels, logits = its output flattened. */
function bnModel(channels: number, options: BatchNormOptions) {
  const state = new ModelState(1);
  const bn = addBatchNorm(state, channels, options);
  return state.toModel((pass, images) => tf.reshape(batchNorm(pass, images, bn), [images.shape[0], -1]) as tf.Tensor2D);
}

describe('airbench BatchNorm', () => {
  it('weighs a new batch 0.4 in the running statistics (airbench94 hands PyTorch 1 − 0.6)', () => {
    expect(AIRBENCH_BN).toMatchObject({ momentum: 0.4, epsilon: 1e-12, learnScale: false });
    const model = bnModel(1, AIRBENCH_BN);
    const x = tf.tensor4d([1, 3, 5, 7], [4, 1, 1, 1]); // mean 4, unbiased variance 20/3
    tf.dispose(model.forward(x, true));
    expect(model.buffers[0].dataSync()[0]).toBeCloseTo(0.6 * 0 + 0.4 * 4, 5);
    expect(model.buffers[1].dataSync()[0]).toBeCloseTo(0.6 * 1 + 0.4 * (20 / 3), 5);
    tf.dispose(x);
    model.dispose();
  });

  it('keeps eps 1e-12 finite on a constant image: no NaN or infinity in the logits or the gradients', async () => {
    const model = await createModel('airbench', 1 / 16, 1, makeSyntheticSet(8, 3));
    const x = tf.fill([4, 32, 32, 3], 0.7) as tf.Tensor4D;
    const { value, grads } = tf.variableGrads(() => tf.sum(model.forward(x, true)) as tf.Scalar, model.params.map((p) => p.variable));
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    for (const g of Object.values(grads)) expect(g.dataSync().every(Number.isFinite)).toBe(true);
    const evaluated = model.forward(x, false);
    expect(evaluated.dataSync().every(Number.isFinite)).toBe(true);
    tf.dispose([x, value, evaluated, ...Object.values(grads)]);
    model.dispose();
  });

  it('builds a frozen scale as a constant off the tape: no scale gradient is computed, the output is the same', async () => {
    const frozen = bnModel(3, { learnScale: false });
    const learned = bnModel(3, { learnScale: true });
    // The frozen model has only its bias to train; its scale of ones is a constant.
    expect(frozen.params.map((p) => p.role)).toEqual(['bn-bias']);
    expect(frozen.constants.map((c) => [...c.dataSync()])).toEqual([[1, 1, 1]]);
    const x = tf.randomNormal([4, 5, 5, 3], 1, 2, 'float32', 7) as tf.Tensor4D;
    const out = (m: typeof frozen) => m.forward(x, true);
    const a = out(frozen);
    const b = out(learned);
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBe(0);
    // The backward pass of the frozen model runs fewer kernels than the learned one's: the
    // scale's gradient (and, as it was built before, a ones-like of the bias and its zero gradient) is gone.
    const kernelsOf = async (m: typeof frozen) => {
      const info = await tf.profile(() => {
        const { value, grads } = tf.variableGrads(() => tf.sum(m.forward(x, true)) as tf.Scalar, m.params.map((p) => p.variable));
        tf.dispose([value, ...Object.values(grads)]);
      });
      return info.kernels.map((k) => k.name);
    };
    const f = await kernelsOf(frozen);
    const l = await kernelsOf(learned);
    expect(f).not.toContain('OnesLike');
    expect(f.length).toBeLessThan(l.length);
    tf.dispose([x, a, b]);
    frozen.dispose();
    learned.dispose();
  });
});

describe('airbench whitening bias', () => {
  it('learns for whiten_bias_epochs epochs and is then frozen: no gradient, no update', async () => {
    const frozenAt: boolean[] = [];
    const real = SgdMomentum.prototype.step;
    vi.spyOn(SgdMomentum.prototype, 'step').mockImplementation(function (this: SgdMomentum, fn, lr, momentum, frozen) {
      frozenAt.push((frozen?.size ?? 0) > 0);
      return real.call(this, fn, lr, momentum, frozen);
    });
    const config = readTrainConfig({ model: 'airbench', width: 1 / 32, train_size: 4, val_size: 2, batch_size: 2, epochs: 3, whiten_bias_epochs: 1.5 });
    expect(readTrainConfig({ model: 'airbench', data: 'cifar10' }).whitenBiasEpochs).toBe(3);
    await train(config, syntheticFor(config), 1, quiet);
    // 2 steps an epoch: steps 0–2 learn it (ceil(1.5 · 2) = 3), steps 3–5 do not.
    expect(frozenAt).toEqual([false, false, false, true, true, true]);
  });

  it('a frozen param gets no gradient and keeps its value, decay included', () => {
    const w = tf.variable(tf.tensor1d([1, 2]));
    const v = tf.variable(tf.tensor1d([3, 4]));
    const optimizer = new SgdMomentum([{ variable: w, lrScale: 1 }, { variable: v, lrScale: 1 }], { nesterov: true, weightDecay: 0.5 });
    const loss = optimizer.step(() => tf.sum(tf.add(tf.square(w), tf.square(v))) as tf.Scalar, 0.1, 0.9, new Set([0]));
    expect([...w.dataSync()]).toEqual([1, 2]);
    expect([...v.dataSync()].every((x, i) => x !== [3, 4][i])).toBe(true);
    tf.dispose([loss, w, v]);
    optimizer.dispose();
  });
});

describe('airbench lookahead', () => {
  it('every 5 steps averages the weights with decay 0.95⁵·(t/T)³ and copies the average back, at the end the average', () => {
    const w = tf.variable(tf.scalar(0));
    const lookahead = new Lookahead([w]);
    const before = tf.memory().numTensors;
    const T = 10;
    let average = 0;
    for (let step = 1; step <= T; step++) {
      tf.tidy(() => w.assign(tf.scalar(step))); // the optimizer's step
      lookahead.afterStep(step, T);
      if (step % 5 === 0) {
        const d = 0.95 ** 5 * (step / T) ** 3;
        expect(lookaheadDecay(step, T)).toBeCloseTo(d, 12);
        average = d * average + (1 - d) * step;
        expect(w.dataSync()[0]).toBeCloseTo(average, 5);
      } else {
        expect(w.dataSync()[0]).toBe(step);
      }
      expect(tf.memory().numTensors).toBe(before);
    }
    tf.tidy(() => w.assign(tf.scalar(99)));
    lookahead.finish();
    expect(w.dataSync()[0]).toBeCloseTo(average, 5);
    lookahead.dispose();
    w.dispose();
  });

  it('is on for airbench only by default, changes what is trained, and leaks nothing', async () => {
    expect(readTrainConfig({ model: 'airbench', data: 'cifar10' }).lookahead).toBe(true);
    for (const model of ['tiny-cnn', 'resnet9', 'resnet18']) expect(readTrainConfig({ model, data: 'cifar10' }).lookahead).toBe(false);
    const raw: RawHyperparameters = { train_size: 40, val_size: 16, batch_size: 4, width: 2, epochs: 1, lr: 0.1 };
    const lossOf = async (lookahead: boolean) => {
      const lines: string[] = [];
      const config = readTrainConfig({ ...raw, lookahead });
      const before = tf.memory().numTensors;
      await train(config, syntheticFor(config), 1, { log: (l) => lines.push(l), shouldStop: () => false });
      expect(tf.memory().numTensors).toBe(before);
      return lines.find((l) => l.startsWith('Epoch 1'));
    };
    expect(await lossOf(true)).not.toBe(await lossOf(false));
  });
});

describe('learning rate and batch size', () => {
  it('states lr at the model default batch size and scales it linearly', () => {
    expect(effectiveLr(readTrainConfig({ model: 'airbench', data: 'cifar10' }))).toBe(1.5);
    expect(effectiveLr(readTrainConfig({ model: 'resnet9', data: 'cifar10' }))).toBe(0.4);
    expect(effectiveLr(readTrainConfig({ model: 'resnet9', data: 'cifar10', batch_size: 1024 }))).toBe(0.8);
    expect(effectiveLr(readTrainConfig({ lr: 0.1, batch_size: 16 }))).toBe(0.05);
  });

  it('doubling batch_size doubles every step’s learning rate in the loop', async () => {
    const lrs: number[] = [];
    const real = SgdMomentum.prototype.step;
    vi.spyOn(SgdMomentum.prototype, 'step').mockImplementation(function (this: SgdMomentum, fn, lr, momentum, frozen) {
      lrs.push(lr);
      return real.call(this, fn, lr, momentum, frozen);
    });
    // Same number of steps (4), so the same points of the one-cycle schedule.
    const small = readTrainConfig({ train_size: 16, val_size: 4, batch_size: 4, width: 2, epochs: 1, lr: 0.1 });
    const large = readTrainConfig({ train_size: 32, val_size: 4, batch_size: 8, width: 2, epochs: 1, lr: 0.1 });
    await train(small, syntheticFor(small), 1, quiet);
    await train(large, syntheticFor(large), 1, quiet);
    expect(lrs).toHaveLength(8);
    for (let i = 0; i < 4; i++) expect(lrs[4 + i]).toBeCloseTo(2 * lrs[i], 12);
  });
});

describe('resnet18', () => {
  it('trains about 30 epochs by default, as the SageMaker recipe it stands for', () => {
    expect(readTrainConfig({ model: 'resnet18', data: 'cifar10' }).epochs).toBe(30);
  });
});
