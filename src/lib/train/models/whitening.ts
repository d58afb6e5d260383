import * as tf from '@tensorflow/tfjs';
import { range } from '../../range';
import { uploadImages } from '../batch';
import { symmetricEigen } from '../eigen';
import { CHANNELS, IMAGE_SIZE, type ImageSet } from '../../data/image-set';

const PATCH = 2;
const FEATURES = PATCH * PATCH * CHANNELS;
/** Keeps near-zero eigenvalues from blowing the filter up. */
const EPSILON = 5e-4;

/**
 * airbench's frozen first layer: 2×2 filters that whiten the normalized training patches
 * (eigenvectors of their uncentred covariance, each scaled by eigenvalue^-1/2), stacked with
 * their negatives so a following GELU keeps both signs: shape [2, 2, 3, 24].
 */
export async function whiteningFilter(train: ImageSet, maxImages = 5000): Promise<tf.Tensor4D> {
  const covariance = await patchCovariance(train, Math.min(maxImages, train.count));
  const { values, vectors } = symmetricEigen(covariance);
  const out = 2 * FEATURES;
  const filter = new Float32Array(FEATURES * out);
  vectors.forEach((vector, k) => {
    const gain = 1 / Math.sqrt(Math.max(values[k], 0) + EPSILON);
    // A feature index is (dy·2 + dx)·3 + c, which is also the filter's [dy, dx, c] flattening.
    vector.forEach((x, feature) => {
      filter[feature * out + k] = x * gain;
      filter[feature * out + k + FEATURES] = -x * gain;
    });
  });
  return tf.tensor4d(filter, [PATCH, PATCH, CHANNELS, out]);
}

/** E[p pᵀ] over every 2×2×3 patch of the first `count` images, as a 12×12 array. */
export async function patchCovariance(train: ImageSet, count: number): Promise<number[][]> {
  const sum = tf.tidy(() => {
    // A conv with one-hot filters copies each patch into 12 channels.
    const picker = tf.reshape(tf.eye(FEATURES), [PATCH, PATCH, CHANNELS, FEATURES]) as tf.Tensor4D;
    let total = tf.zeros([FEATURES, FEATURES]);
    for (let start = 0; start < count; start += 500) {
      const next = tf.tidy(() => {
        const images = uploadImages(train, range(start, Math.min(500, count - start)));
        const patches = tf.reshape(tf.conv2d(images, picker, 1, 'valid'), [-1, FEATURES]);
        return tf.add(total, tf.matMul(patches, patches, true, false));
      });
      total.dispose();
      total = next;
    }
    return total;
  });
  const side = IMAGE_SIZE - PATCH + 1;
  const patches = count * side * side;
  const flat = await sum.data();
  sum.dispose();
  return range(0, FEATURES).map((i) => range(0, FEATURES).map((j) => flat[i * FEATURES + j] / patches));
}
