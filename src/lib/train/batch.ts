import * as tf from '@tensorflow/tfjs';
import { CHANNELS, IMAGE_SIZE, PIXELS_PER_IMAGE, type ImageSet } from '../data/image-set';

/** CIFAR-10's per-channel mean and standard deviation on the 0–255 scale. */
export const CIFAR_MEAN = [125.31, 122.95, 113.87];
export const CIFAR_STD = [62.99, 62.09, 66.7];

/** The images at `indices`, uploaded and normalized to zero mean and unit variance per channel. */
export function uploadImages(set: ImageSet, indices: ArrayLike<number>): tf.Tensor4D {
  const count = indices.length;
  const pixels = new Int32Array(count * PIXELS_PER_IMAGE);
  for (let i = 0; i < count; i++) {
    const from = indices[i] * PIXELS_PER_IMAGE;
    pixels.set(set.images.subarray(from, from + PIXELS_PER_IMAGE), i * PIXELS_PER_IMAGE);
  }
  return tf.tidy(() => normalize(tf.tensor4d(pixels, [count, IMAGE_SIZE, IMAGE_SIZE, CHANNELS], 'int32')));
}

export function uploadLabels(set: ImageSet, indices: ArrayLike<number>): tf.Tensor1D {
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) labels[i] = set.labels[indices[i]];
  return tf.tensor1d(labels, 'int32');
}

/** Kept apart as the seam for a kernel that unpacks and normalizes bytes in one pass. */
export function normalize(raw: tf.Tensor4D): tf.Tensor4D {
  return tf.div(tf.sub(tf.cast(raw, 'float32'), CIFAR_MEAN), CIFAR_STD);
}
