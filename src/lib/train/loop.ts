import * as tf from '@tensorflow/tfjs';
import { createRng, shuffledIndices } from '../rng';
import type { TrainConfig } from './hyperparameters';
import { CLASSES, IMAGE_SIZE, CHANNELS, PIXELS_PER_IMAGE, type ImageSet } from './image-set';
import { createTinyCnn } from './tiny-cnn';
import { SgdMomentum } from './optimizer';

/** CIFAR-10's per-channel mean and standard deviation on the 0–255 scale. */
const CIFAR_MEAN = [125.31, 122.95, 113.87];
const CIFAR_STD = [62.99, 62.09, 66.7];

export interface TrainData {
  train: ImageSet;
  val: ImageSet;
  test: ImageSet;
}

export interface TrainHooks {
  log(line: string): void;
  /** Polled between steps: true ends the trial as stopped. */
  shouldStop(): boolean;
}

export type TrainOutcome = { status: 'completed'; valAccuracy: number; testAccuracy: number } | { status: 'stopped' };

/**
 * Trains one trial and prints the log-line convention: one `Epoch N, ...` line per epoch
 * and a `Final, ...` line. Every tensor it makes is gone when it returns or throws.
 */
export async function train(config: TrainConfig, data: TrainData, seed: number, hooks: TrainHooks): Promise<TrainOutcome> {
  const started = performance.now();
  const model = createTinyCnn(config.width, seed);
  const optimizer = new SgdMomentum(model.variables, { momentum: config.momentum, nesterov: config.optimizer === 'nag', weightDecay: config.weightDecay });
  const rng = createRng(seed);
  const stepsPerEpoch = Math.floor(data.train.count / config.batchSize);
  const totalSteps = Math.max(1, Math.round(config.epochs * stepsPerEpoch));
  try {
    let step = 0;
    for (let epoch = 1; step < totalSteps; epoch++) {
      const order = shuffledIndices(data.train.count, rng);
      const epochStart = performance.now();
      let lossSum = 0;
      let epochSteps = 0;
      for (let b = 0; b < stepsPerEpoch && step < totalSteps; b++, step++) {
        if (hooks.shouldStop()) {
          hooks.log(`Stopped at step ${step} of ${totalSteps}`);
          return { status: 'stopped' };
        }
        const indices = order.slice(b * config.batchSize, (b + 1) * config.batchSize);
        const { images, labels } = toBatch(data.train, indices);
        const lossTensor = optimizer.step(() => {
          const oneHot = tf.oneHot(labels, CLASSES);
          return tf.losses.softmaxCrossEntropy(oneHot, model.apply(images), undefined, config.labelSmoothing) as tf.Scalar;
        }, config.lr);
        tf.dispose([images, labels]);
        const loss = (await lossTensor.data())[0];
        lossTensor.dispose();
        if (!Number.isFinite(loss)) throw new Error(`diverged: the training loss became ${loss} at step ${step + 1}.`);
        lossSum += loss;
        epochSteps++;
      }
      const valAccuracy = await accuracy(model, data.val, config.batchSize);
      const imagesPerSecond = (epochSteps * config.batchSize) / ((performance.now() - epochStart) / 1000);
      hooks.log(
        `Epoch ${epoch}, Train loss=${(lossSum / Math.max(1, epochSteps)).toFixed(4)}, Validation accuracy=${valAccuracy.toFixed(4)}, Images/s=${imagesPerSecond.toFixed(1)}`,
      );
      if (step >= totalSteps) {
        const testAccuracy = await accuracy(model, data.test, config.batchSize);
        hooks.log(`Final, Test accuracy=${testAccuracy.toFixed(4)}, Seconds=${((performance.now() - started) / 1000).toFixed(1)}`);
        return { status: 'completed', valAccuracy, testAccuracy };
      }
    }
    throw new Error('The training loop ended without a final epoch.');
  } finally {
    model.dispose();
    optimizer.dispose();
  }
}

async function accuracy(model: ReturnType<typeof createTinyCnn>, set: ImageSet, batchSize: number): Promise<number> {
  let correct = 0;
  for (let start = 0; start < set.count; start += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, set.count - start) }, (_, i) => start + i);
    const hits = tf.tidy(() => {
      const { images, labels } = toBatch(set, indices);
      return tf.sum(tf.cast(tf.equal(tf.argMax(model.apply(images), 1), labels), 'int32'));
    });
    correct += (await hits.data())[0];
    hits.dispose();
  }
  return correct / set.count;
}

function toBatch(set: ImageSet, indices: number[]): { images: tf.Tensor4D; labels: tf.Tensor1D } {
  const pixels = new Uint8Array(indices.length * PIXELS_PER_IMAGE);
  const labels = new Int32Array(indices.length);
  indices.forEach((index, i) => {
    pixels.set(set.images.subarray(index * PIXELS_PER_IMAGE, (index + 1) * PIXELS_PER_IMAGE), i * PIXELS_PER_IMAGE);
    labels[i] = set.labels[index];
  });
  return tf.tidy(() => {
    const raw = tf.tensor4d(pixels, [indices.length, IMAGE_SIZE, IMAGE_SIZE, CHANNELS], 'int32');
    const images = tf.div(tf.sub(tf.cast(raw, 'float32'), CIFAR_MEAN), CIFAR_STD) as tf.Tensor4D;
    return { images, labels: tf.tensor1d(labels, 'int32') };
  });
}
