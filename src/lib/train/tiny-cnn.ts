import * as tf from '@tensorflow/tfjs';
import { CHANNELS, CLASSES } from './image-set';

/** A two-conv network small enough to train in tests on a software GPU; the ResNets replace it. */
export interface Model {
  variables: tf.Variable[];
  /** Logits for a batch of normalized NHWC images. */
  apply(images: tf.Tensor4D): tf.Tensor2D;
  dispose(): void;
}

export function createTinyCnn(width: number, seed: number): Model {
  // tidy frees the initial values: a variable keeps its own copy.
  const he = (shape: number[], fanIn: number, offset: number) =>
    tf.tidy(() => tf.variable(tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', seed + offset)));
  const zeros = (size: number) => tf.tidy(() => tf.variable(tf.zeros([size])));
  const conv1 = he([3, 3, CHANNELS, width], 9 * CHANNELS, 1);
  const bias1 = zeros(width);
  const conv2 = he([3, 3, width, 2 * width], 9 * width, 2);
  const bias2 = zeros(2 * width);
  const dense = he([2 * width, CLASSES], 2 * width, 3);
  const bias3 = zeros(CLASSES);
  const variables = [conv1, bias1, conv2, bias2, dense, bias3];
  return {
    variables,
    apply: (images) =>
      tf.tidy(() => {
        const h1 = tf.relu(tf.add(tf.conv2d(images, conv1 as tf.Tensor4D, 2, 'same'), bias1)) as tf.Tensor4D;
        const h2 = tf.relu(tf.add(tf.conv2d(h1, conv2 as tf.Tensor4D, 2, 'same'), bias2));
        const pooled = tf.mean(h2, [1, 2]) as tf.Tensor2D;
        return tf.add(tf.matMul(pooled, dense as tf.Tensor2D), bias3);
      }),
    dispose: () => variables.forEach((v) => v.dispose()),
  };
}
