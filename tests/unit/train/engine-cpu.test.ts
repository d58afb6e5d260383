import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { splitDataset } from '../../../src/lib/data/splits';
import { parseEngineLine, type TrainProgress } from '../../../src/lib/metrics';
import { HYPERPARAMETERS, RECIPE_VERSION, readTrainConfig } from '../../../src/lib/recipe/hyperparameters';
import { train } from '../../../src/lib/train/loop';
import { makeSyntheticSet } from '../../../src/lib/data/synthetic';
import { expectLearning, expectNoTensorLeaks, syntheticFor } from './engine-fixture';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const quiet = { log: () => {}, shouldStop: () => false };

describe('training engine on the CPU backend', () => {
  it('leaves tf.memory().numTensors flat across epochs and trials, with EMA, TTA and augmentation on', () => expectNoTensorLeaks());

  it('leaves no tensor behind with BatchNorm running statistics (resnet9) and a frozen whitening layer (airbench)', async () => {
    await expectNoTensorLeaks({ model: 'resnet9', width: 1 / 32, train_size: 8, val_size: 4, batch_size: 4, bn_bias_lr: 8 });
    await expectNoTensorLeaks({ model: 'airbench', width: 1 / 32, train_size: 4, val_size: 2, batch_size: 2, tta: 'flip' });
  });

  it('learns the synthetic set well above chance (10%) in a few dozen steps', expectLearning);

  it('states every resolved hyperparameter and the recipe version on its first line, the fault knob left out', async () => {
    const config = readTrainConfig({ model: 'resnet9', width: 1 / 32, train_size: 8, val_size: 4, batch_size: 4, epochs: 1, fault: 'none' });
    const lines: string[] = [];
    await train(config, syntheticFor(config), 1, { log: (l) => lines.push(l), shouldStop: () => false });
    const first = parseEngineLine(lines[0]);
    expect(first?.kind).toBe('config');
    if (first?.kind !== 'config') return;
    expect(first.recipeVersion).toBe(RECIPE_VERSION);
    // Given values, resnet9's presets, the fallbacks, and test_size as readTrainConfig resolved it (0 becomes val_size).
    expect(first.hyperparameters).toMatchObject({ model: 'resnet9', width: 0.03125, train_size: 8, batch_size: 4, epochs: 1, lr: 0.4, crop_pad: 4, cutout: 8, flip: 'random', tta: 'flip', ema: false, optimizer: 'nag', test_size: 4, data: 'synthetic' });
    expect(Object.keys(first.hyperparameters)).toEqual(HYPERPARAMETERS.map((s) => s.name).filter((name) => name !== 'fault'));
    expect(lines.slice(1).some((l) => l.startsWith('Hyperparameters'))).toBe(false);
  });

  it("reports progress at every 4-step sync point and at each epoch end, once per step, before that epoch's line", async () => {
    // 10 steps an epoch, 25 in all: syncs after 4 and 8 steps of each full epoch; the last epoch is 5 steps.
    const config = readTrainConfig({ train_size: 80, val_size: 8, batch_size: 8, width: 2, epochs: 2.5 });
    const seen: string[] = [];
    const progress: TrainProgress[] = [];
    const before = tf.memory().numTensors;
    const onProgress = (p: TrainProgress) => {
      progress.push(p);
      seen.push(`progress ${p.epoch}:${p.step}`);
    };
    await train(config, syntheticFor(config), 1, { log: (l) => seen.push(l.split(',')[0]), shouldStop: () => false, onProgress });
    expect(tf.memory().numTensors).toBe(before);
    expect(progress.every((p) => p.totalSteps === 25 && p.stepsPerEpoch === 10)).toBe(true);
    expect(seen).toEqual([
      `Hyperparameters {"recipe":${RECIPE_VERSION}`,
      'Kernels: stock (tfjs cpu kernels)',
      'progress 1:4',
      'progress 1:8',
      'progress 1:10',
      'Epoch 1',
      'progress 2:14',
      'progress 2:18',
      'progress 2:20',
      'Epoch 2',
      'progress 3:24',
      'progress 3:25',
      'Epoch 3',
      'Final',
    ]);

    // An epoch of exactly 8 steps ends on a sync point: one report for that step, not two.
    const aligned = readTrainConfig({ train_size: 64, val_size: 8, batch_size: 8, width: 2, epochs: 2 });
    const steps: [number, number][] = [];
    await train(aligned, syntheticFor(aligned), 1, { log: () => {}, shouldStop: () => false, onProgress: (p) => steps.push([p.epoch, p.step]) });
    expect(steps).toEqual([[1, 4], [1, 8], [2, 12], [2, 16]]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops softly at a step boundary when asked', async () => {
    const config = readTrainConfig({ train_size: 64, val_size: 16, batch_size: 16, width: 2 });
    const lines: string[] = [];
    let polls = 0;
    const before = tf.memory().numTensors;
    const outcome = await train(config, syntheticFor(config), 1, { log: (l) => lines.push(l), shouldStop: () => ++polls > 2 });
    expect(outcome).toEqual({ status: 'stopped' });
    expect(lines).toEqual([expect.stringMatching(/^Hyperparameters /), expect.stringMatching(/^Kernels: /), 'Stopped at step 2 of 4']);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('lets timers and messages run at its sync points, so a stop request or a heartbeat is not held up for the whole trial', async () => {
    const config = readTrainConfig({ model: 'tiny-cnn', width: 2, train_size: 64, val_size: 16, batch_size: 4, epochs: 1 });
    let progressReports = 0;
    let stopRequested = false;
    // A stop that only a timer can ask for, as a message from the page or a signal would.
    setTimeout(() => (stopRequested = true), 0);
    const outcome = await train(config, syntheticFor(config), 1, { ...quiet, shouldStop: () => stopRequested, onProgress: () => progressReports++ });
    expect(outcome.status).toBe('stopped');
    // 16 steps: the stop lands at the first sync point, not after the last.
    expect(progressReports).toBeLessThanOrEqual(1);
  });

  it('fails with "diverged" when the loss is not finite, leaving nothing behind', async () => {
    const config = readTrainConfig({ train_size: 32, val_size: 16, batch_size: 16, width: 2, lr: 1e30, momentum: 0.9, ema: true });
    const before = tf.memory().numTensors;
    await expect(train(config, syntheticFor(config), 1, quiet)).rejects.toThrow(/^diverged/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('notices a divergence within 8 steps, reading the loss one sync point behind', async () => {
    // 20 steps an epoch: the loop must not wait for the epoch's end to see the loss has gone.
    const config = readTrainConfig({ train_size: 160, val_size: 16, batch_size: 8, width: 2, lr: 1e30, momentum: 0.9 });
    const reached: number[] = [];
    const before = tf.memory().numTensors;
    const failure = train(config, syntheticFor(config), 1, { ...quiet, onProgress: (p) => reached.push(p.step) });
    await expect(failure).rejects.toThrow(/^diverged: the training loss became (NaN|Infinity|-Infinity) by step [48]\.$/);
    expect(Math.max(0, ...reached)).toBeLessThanOrEqual(8);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports test accuracy per epoch on request, and uses the test set when there is no validation split', async () => {
    const config = readTrainConfig({ data: 'cifar10', val_size: 0, batch_size: 8, width: 2, epochs: 2 });
    const pool = makeSyntheticSet(40, 3);
    const data = splitDataset({ train: pool, test: makeSyntheticSet(8, 4) }, { valSize: config.valSize, limit: config.limit });
    const lines: string[] = [];
    const tests: (number | undefined)[] = [];
    const outcome = await train(config, data, 1, { log: (l) => lines.push(l), shouldStop: () => false, testEachEpoch: true, onEpoch: (r) => tests.push(r.testAccuracy) });
    expect(lines[2]).toMatch(/^No validation split/);
    expect(tests).toHaveLength(2);
    expect(outcome.status === 'completed' && outcome.testAccuracy).toBe(tests[1]);
  });
});

describe('data splits', () => {
  it('holds out validation from the pool, scaled with the limit, as views', () => {
    const dataset = { train: makeSyntheticSet(100, 1), test: makeSyntheticSet(20, 2) };
    // The default 5,000 of 50,000 becomes 5 of a limit of 50.
    const data = splitDataset(dataset, { valSize: 5000, limit: 50 });
    expect([data.train.count, data.val.count, data.test.count]).toEqual([45, 5, 20]);
    expect(data.train.images.length).toBe(45 * 3072);
    expect(data.val.labels[0]).toBe(dataset.train.labels[45]);
    expect(data.val.images.buffer).toBe(dataset.train.images.buffer);
    const all = splitDataset(dataset, { valSize: 20 });
    expect([all.train.count, all.val.count, all.test.count]).toEqual([80, 20, 20]);
    expect(splitDataset(dataset, { valSize: 500 }).train.count).toBe(1);
    expect(readTrainConfig({ data: 'cifar10' }).valSize).toBe(5000);
  });

  it('refuses a batch larger than the training split', async () => {
    const config = readTrainConfig({ data: 'cifar10', limit: 10, batch_size: 16 });
    const data = splitDataset({ train: makeSyntheticSet(100, 1), test: makeSyntheticSet(20, 2) }, { valSize: config.valSize, limit: config.limit });
    await expect(train(config, data, 1, { log: () => {}, shouldStop: () => false })).rejects.toThrow(
      'batch_size (16) is larger than the training set (9 images).',
    );
  });
});
