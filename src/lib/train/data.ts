import type { TrainConfig } from './hyperparameters';
import { PIXELS_PER_IMAGE, type ImageDataset, type ImageSet } from './image-set';
import { range } from './batch';
import { subset } from './image-set';
import { makeSyntheticSet } from './synthetic';

/** The three splits a trial sees: it trains on `train`, reports `val` each epoch and `test` at the end. */
export interface TrainData {
  train: ImageSet;
  val: ImageSet;
  test: ImageSet;
}

/** The synthetic splits a config asks for: disjoint parts of one generated pool. */
export function loadTrainData(config: TrainConfig, dataSeed = 2024): TrainData {
  if (config.data !== 'synthetic') {
    throw new Error(`data=${config.data} is read from files: load it (e.g. loadCifarFolder) and pass it through prepareTrainData.`);
  }
  const total = config.trainSize + config.valSize + config.testSize;
  const pool = makeSyntheticSet(total, dataSeed);
  return {
    train: subset(pool, range(0, config.trainSize)),
    val: subset(pool, range(config.trainSize, config.valSize)),
    test: subset(pool, range(config.trainSize + config.valSize, config.testSize)),
  };
}

/** CIFAR-10's training pool: `val_size` is counted against it, so a `limit` scales the split by N / 50,000. */
export const FULL_TRAIN_POOL = 50_000;

/**
 * Splits a loaded data set the way a config asks: `limit` keeps the first N training images and
 * at most N test images; the last images of the (limited) pool are held out for validation,
 * `val_size` of them, or val_size · N / 50,000 with a limit (500 of 5,000 by default). The
 * dataset may already be limited by its loader. The splits are views of the loaded arrays, not copies.
 */
export function prepareTrainData(config: TrainConfig, dataset: ImageDataset): TrainData {
  const pool = dataset.train;
  const poolCount = config.limit > 0 ? Math.min(config.limit, pool.count) : pool.count;
  const requested = config.limit > 0 ? Math.round((config.valSize * config.limit) / FULL_TRAIN_POOL) : config.valSize;
  const valCount = Math.min(requested, poolCount - 1);
  const trainCount = poolCount - valCount;
  if (config.batchSize > trainCount) {
    throw new Error(`batch_size (${config.batchSize}) is larger than the training set (${trainCount} images).`);
  }
  const testCount = config.limit > 0 ? Math.min(config.limit, dataset.test.count) : dataset.test.count;
  return { train: slice(pool, 0, trainCount), val: slice(pool, trainCount, valCount), test: slice(dataset.test, 0, testCount) };
}

function slice(set: ImageSet, start: number, count: number): ImageSet {
  return {
    images: set.images.subarray(start * PIXELS_PER_IMAGE, (start + count) * PIXELS_PER_IMAGE),
    labels: set.labels.subarray(start, start + count),
    count,
  };
}
