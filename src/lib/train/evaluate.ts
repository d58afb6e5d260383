import * as tf from '@tensorflow/tfjs';
import { flipAll, shiftAll } from './augment';
import { range } from '../range';
import { uploadImages, uploadLabels } from './batch';
import type { TtaMode } from '../recipe/hyperparameters';
import type { ImageSet } from '../data/image-set';
import type { Model } from './models/model';
import { assembleEvalBatch } from './kernels/batch-assembly';
import { customKernelsActive } from './kernels/registry';
import { residentSet } from './resident-data';

/**
 * Top-1 accuracy in evaluation mode (running BatchNorm statistics), optionally on other
 * weights (`state`: params then buffers, e.g. an EMA) and with test-time augmentation.
 * Hits are summed on the device and read once. With the engine's own kernels the set is kept on
 * the GPU (resident-data.ts, its 'eval' slot) and each batch is built there from its indices;
 * otherwise each batch's pixels are uploaded. Both give the same images.
 */
export async function evaluateAccuracy(model: Model, set: ImageSet, batchSize: number, tta: TtaMode, state?: tf.Tensor[]): Promise<number> {
  if (set.count === 0) return 0;
  const resident = customKernelsActive() ? residentSet(set, 'eval') : undefined;
  let hits: tf.Tensor = tf.scalar(0, 'int32');
  try {
    for (let start = 0; start < set.count; start += batchSize) {
      const indices = range(start, Math.min(batchSize, set.count - start));
      const next = tf.tidy(() => {
        const { images, labels } = resident ? assembleEvalBatch(resident, indices) : { images: uploadImages(set, indices), labels: uploadLabels(set, indices) };
        const logits = predict(model, images, tta, state);
        return tf.add(hits, tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'int32')));
      });
      hits.dispose();
      hits = next;
    }
    return (await hits.data())[0] / set.count;
  } finally {
    hits.dispose();
  }
}

/** Logits averaged over the test-time views: the image and its mirror, and (flip-translate) both shifted one pixel each way. */
export function predict(model: Model, images: tf.Tensor4D, tta: TtaMode, state?: tf.Tensor[]): tf.Tensor2D {
  return tf.tidy(() => {
    const plain = (x: tf.Tensor4D) => model.forward(x, false, state);
    if (tta === 'none') return plain(images);
    const mirrored = (x: tf.Tensor4D) => tf.mul(tf.add(plain(x), plain(flipAll(x))), 0.5) as tf.Tensor2D;
    if (tta === 'flip') return mirrored(images);
    const shifted = tf.add(mirrored(shiftAll(images, -1, -1)), mirrored(shiftAll(images, 1, 1)));
    return tf.add(tf.mul(mirrored(images), 0.5), tf.mul(shifted, 0.25)) as tf.Tensor2D;
  });
}
