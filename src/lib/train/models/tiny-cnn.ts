import * as tf from '@tensorflow/tfjs';
import { CHANNELS, CLASSES } from '../../data/image-set';
import { ModelState, type Model } from './model';

/**
 * Two strided convs, global average pooling and a linear head, no BatchNorm: small enough to
 * train in tests on a software GPU. `width` is the channel count of the first conv.
 */
export function createTinyCnn(width: number, seed: number): Model {
  const state = new ModelState(seed);
  const he = (shape: number[], fanIn: number) => {
    const s = state.nextSeed();
    return () => tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', s);
  };
  const conv1 = state.param(he([3, 3, CHANNELS, width], 9 * CHANNELS), 'weight');
  const bias1 = state.param(() => tf.zeros([width]), 'bias');
  const conv2 = state.param(he([3, 3, width, 2 * width], 9 * width), 'weight');
  const bias2 = state.param(() => tf.zeros([2 * width]), 'bias');
  const dense = state.param(he([2 * width, CLASSES], 2 * width), 'weight');
  const bias3 = state.param(() => tf.zeros([CLASSES]), 'bias');
  return state.toModel((pass, images) => {
    const h1 = tf.relu(tf.add(tf.conv2d(images, pass.read(conv1) as tf.Tensor4D, 2, 'same'), pass.read(bias1))) as tf.Tensor4D;
    const h2 = tf.relu(tf.add(tf.conv2d(h1, pass.read(conv2) as tf.Tensor4D, 2, 'same'), pass.read(bias2)));
    const pooled = tf.mean(h2, [1, 2]) as tf.Tensor2D;
    return tf.add(tf.matMul(pooled, pass.read(dense) as tf.Tensor2D), pass.read(bias3));
  });
}
