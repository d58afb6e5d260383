/** Shape constants and the in-memory layout every CIFAR loader produces. */
export const IMAGE_SIZE = 32;
export const CHANNELS = 3;
export const CLASSES = 10;
export const PIXELS_PER_IMAGE = IMAGE_SIZE * IMAGE_SIZE * CHANNELS;
export const CLASS_NAMES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

/** Images as uint8 NHWC (row-major, RGB interleaved), labels as uint8 class indices. */
export interface ImageSet {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

/** A whole data set as loaded: the training pool (validation is split from it later) and the test set. */
export interface ImageDataset {
  train: ImageSet;
  test: ImageSet;
}

/** The images at the given indices, copied into a new set. */
export function subset(set: ImageSet, indices: number[]): ImageSet {
  const images = new Uint8Array(indices.length * PIXELS_PER_IMAGE);
  const labels = new Uint8Array(indices.length);
  indices.forEach((from, to) => {
    images.set(set.images.subarray(from * PIXELS_PER_IMAGE, (from + 1) * PIXELS_PER_IMAGE), to * PIXELS_PER_IMAGE);
    labels[to] = set.labels[from];
  });
  return { images, labels, count: indices.length };
}
