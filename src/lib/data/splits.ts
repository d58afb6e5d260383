import { range } from '../range';
import { PIXELS_PER_IMAGE, subset, type ImageDataset, type ImageSet } from './image-set';
import { makeSyntheticSet } from './synthetic';

/** The three splits a trial sees: it trains on `train`, reports `val` each epoch and `test` at the end. */
export interface DataSplits {
  train: ImageSet;
  val: ImageSet;
  test: ImageSet;
}

/** Disjoint parts of one generated synthetic pool, of the sizes given. */
export function syntheticSplits(sizes: { train: number; val: number; test: number }, dataSeed = 2024): DataSplits {
  const pool = makeSyntheticSet(sizes.train + sizes.val + sizes.test, dataSeed);
  return {
    train: subset(pool, range(0, sizes.train)),
    val: subset(pool, range(sizes.train, sizes.val)),
    test: subset(pool, range(sizes.train + sizes.val, sizes.test)),
  };
}

/** CIFAR-10's training pool: `valSize` is counted against it, so a `limit` scales the split by N / 50,000. */
export const FULL_TRAIN_POOL = 50_000;

/**
 * Splits a loaded data set: `limit` (0 for none) keeps the first N training images and at most N
 * test images; the last images of the (limited) pool are held out for validation, `valSize` of
 * them, or valSize · N / 50,000 with a limit (500 of 5,000 by default). At least one training
 * image stays. The dataset may already be limited by its loader. The splits are views of the
 * loaded arrays, not copies.
 */
export function splitDataset(dataset: ImageDataset, { valSize, limit = 0 }: { valSize: number; limit?: number }): DataSplits {
  const pool = dataset.train;
  const poolCount = limit > 0 ? Math.min(limit, pool.count) : pool.count;
  const requested = limit > 0 ? Math.round((valSize * limit) / FULL_TRAIN_POOL) : valSize;
  const valCount = Math.min(requested, poolCount - 1);
  const trainCount = poolCount - valCount;
  const testCount = limit > 0 ? Math.min(limit, dataset.test.count) : dataset.test.count;
  return { train: slice(pool, 0, trainCount), val: slice(pool, trainCount, valCount), test: slice(dataset.test, 0, testCount) };
}

function slice(set: ImageSet, start: number, count: number): ImageSet {
  return {
    images: set.images.subarray(start * PIXELS_PER_IMAGE, (start + count) * PIXELS_PER_IMAGE),
    labels: set.labels.subarray(start, start + count),
    count,
  };
}
