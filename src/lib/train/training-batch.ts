import * as tf from '@tensorflow/tfjs';
import { CLASSES, type ImageSet } from '../data/image-set';
import { augment, type Placement } from './augment';
import { uploadImages, uploadLabels } from './batch';
import { assembleBatch, describeBatchAssembly } from './kernels/batch-assembly';
import { customKernelsActive } from './kernels/registry';
import { softmaxCrossEntropy } from './kernels/softmax-cross-entropy';
import type { Model } from './models/model';
import { residentTrainingSet } from './resident-data';

/** One training step's inputs: augmented, normalized images and one-hot targets, on the device. */
export interface TrainingBatch {
  images: tf.Tensor4D;
  targets: tf.Tensor2D;
}

/**
 * The batch at `indices`, placed as `placement` says. With the engine's own kernels the training
 * set stays on the GPU and one kernel builds the batch from it; otherwise (stock kernels, webgl,
 * cpu) the bytes are uploaded and augmented with tfjs ops. Both give the same numbers. The loop
 * and bench:train both step through here, so the benchmark times the loop's own path.
 */
export function trainingBatch(set: ImageSet, indices: ArrayLike<number>, placement: Placement): TrainingBatch {
  const resident = customKernelsActive() ? residentTrainingSet(set) : undefined;
  if (resident) return assembleBatch(resident, indices, placement);
  return tf.tidy(() => ({
    images: augment(uploadImages(set, indices), placement),
    targets: tf.oneHot(uploadLabels(set, indices), CLASSES) as tf.Tensor2D,
  }));
}

/**
 * The step's loss: softmax cross-entropy of the model's training-mode logits with label smoothing,
 * tfjs's ops or, with the engine's own kernels, the same math in two dispatches.
 */
export function batchLoss(model: Model, batch: TrainingBatch, labelSmoothing: number): tf.Scalar {
  const logits = model.forward(batch.images, true);
  if (customKernelsActive()) return softmaxCrossEntropy(batch.targets, logits, labelSmoothing);
  return tf.losses.softmaxCrossEntropy(batch.targets, logits, undefined, labelSmoothing) as tf.Scalar;
}

/** What the trial log's Kernels line adds for the batch path, when it is the resident one. */
export function describeTrainingBatch(set: ImageSet): string[] {
  const resident = customKernelsActive() ? residentTrainingSet(set) : undefined;
  return resident ? [describeBatchAssembly(resident)] : [];
}
