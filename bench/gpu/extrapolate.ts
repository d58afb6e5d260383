/**
 * The time a full training run would take at a measured step time: the loop's own step count
 * (whole batches per epoch, epochs × those, rounded) times ms per step. An extrapolation, not a
 * measurement: it leaves out evaluation, the first steps' shader compilation and any change of
 * speed over a run. Pure.
 */
import { readTrainConfig, type ModelName } from '../../src/lib/recipe/hyperparameters';

/** The epochs of a model's published recipe: its default on CIFAR-10 (synthetic defaults would reject airbench's batch of 1,024). */
export function recipeEpochs(model: ModelName): number {
  return readTrainConfig({ model, data: 'cifar10' }).epochs;
}

/** CIFAR-10's training images, all of them, as the published 94% recipes train on. */
export const CIFAR10_TRAIN_IMAGES = 50_000;

export interface Extrapolation {
  trainImages: number;
  batch: number;
  epochs: number;
  stepsPerEpoch: number;
  totalSteps: number;
  epochSeconds: number;
  runSeconds: number;
}

export function extrapolateRun(msPerStep: number, batch: number, epochs: number, trainImages = CIFAR10_TRAIN_IMAGES): Extrapolation {
  // As src/lib/train/loop.ts counts them: the last partial batch of an epoch is dropped.
  const stepsPerEpoch = Math.floor(trainImages / batch);
  const totalSteps = Math.max(1, Math.round(epochs * stepsPerEpoch));
  return {
    trainImages,
    batch,
    epochs,
    stepsPerEpoch,
    totalSteps,
    epochSeconds: (stepsPerEpoch * msPerStep) / 1000,
    runSeconds: (totalSteps * msPerStep) / 1000,
  };
}
