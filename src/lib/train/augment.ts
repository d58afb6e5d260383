import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng';
import type { FlipMode } from '../recipe/hyperparameters';

/** Per-image augmentation draws for one batch, made on the CPU from the trial's seeded stream. */
export interface Placement {
  /** Shift: the shifted image's pixel (y, x) is the input's (y + dy, x + dx), reflected at the borders. */
  dy: Int32Array;
  dx: Int32Array;
  /** 1 where the shifted image is then mirrored left–right. */
  flip: Uint8Array;
  /** Top-left corner of each image's cutout square, or absent for no cutout. */
  cutout?: { y: Int32Array; x: Int32Array; size: number };
}

export interface AugmentOptions {
  cropPad: number;
  flip: FlipMode;
  cutout: number;
}

/**
 * Draws the batch's placements. `flipState` holds each training image's flip in epoch 1 for
 * the alternating mode, which then mirrors every image in every other epoch (as airbench does).
 */
export function drawPlacement(rng: Rng, indices: ArrayLike<number>, epoch: number, options: AugmentOptions, flipState: Uint8Array, size: number): Placement {
  const n = indices.length;
  const dy = new Int32Array(n);
  const dx = new Int32Array(n);
  const flip = new Uint8Array(n);
  const span = 2 * options.cropPad + 1;
  for (let i = 0; i < n; i++) {
    if (options.cropPad > 0) {
      dy[i] = rng.int(span) - options.cropPad;
      dx[i] = rng.int(span) - options.cropPad;
    }
    if (options.flip === 'random') flip[i] = rng.next() < 0.5 ? 1 : 0;
    if (options.flip === 'alternating') flip[i] = flipState[indices[i]] ^ ((epoch - 1) & 1);
  }
  if (options.cutout === 0) return { dy, dx, flip };
  const y = new Int32Array(n);
  const x = new Int32Array(n);
  // The whole square lies inside the image, as in Page's recipe (its top-left corner in
  // [0, size − cutout]): every image loses exactly cutout² pixels, none is wasted past an edge.
  const corners = Math.max(1, size - options.cutout + 1);
  for (let i = 0; i < n; i++) {
    y[i] = rng.int(corners);
    x[i] = rng.int(corners);
  }
  return { dy, dx, flip, cutout: { y, x, size: options.cutout } };
}

/** Applies a placement to a batch on the device: one gather for translation and flips, one mask for cutout. */
export function augment(images: tf.Tensor4D, placement: Placement): tf.Tensor4D {
  return tf.tidy(() => {
    const moved = translateFlip(images, placement.dy, placement.dx, placement.flip);
    return placement.cutout ? cutout(moved, placement.cutout.y, placement.cutout.x, placement.cutout.size) : moved;
  });
}

/**
 * Shifts each image by (dy, dx) with reflect padding, then mirrors it where `flip` is 1.
 * The source index of every output pixel is computed on the device from three numbers per image,
 * then a single gather moves the pixels: the seam for a custom kernel later.
 * Shifts must be smaller than the image.
 */
export function translateFlip(images: tf.Tensor4D, dy: ArrayLike<number>, dx: ArrayLike<number>, flip: ArrayLike<number>): tf.Tensor4D {
  const [n, h, w, c] = images.shape;
  return tf.tidy(() => {
    const column = (values: ArrayLike<number>) => tf.tensor3d(Array.from(values), [n, 1, 1]);
    const ys = tf.reshape(tf.range(0, h), [1, h, 1]);
    const xs = tf.reshape(tf.range(0, w), [1, 1, w]);
    // Mirroring maps x to w − 1 − x: x + f·(w − 1 − 2x).
    const mirrored = tf.add(xs, tf.mul(column(flip), tf.sub(w - 1, tf.mul(xs, 2))));
    const srcY = reflect(tf.add(ys, column(dy)), h);
    const srcX = reflect(tf.add(mirrored, column(dx)), w);
    const base = tf.mul(tf.reshape(tf.range(0, n), [n, 1, 1]), h * w);
    // Float index arithmetic is exact below 2^24 pixels per batch, far above any batch here.
    const index = tf.cast(tf.reshape(tf.add(base, tf.add(tf.mul(srcY, w), srcX)), [n * h * w]), 'int32');
    return tf.reshape(tf.gather(tf.reshape(images, [n * h * w, c]), index), [n, h, w, c]);
  });
}

/** Reflection of a coordinate into [0, size): −1 → 1, size → size − 2 (no edge repeat, like 'reflect' padding). */
function reflect(i: tf.Tensor, size: number): tf.Tensor {
  return tf.sub(size - 1, tf.abs(tf.sub(size - 1, tf.abs(i))));
}

/** Zeroes a size × size square per image (top-left corner y, x; clipped at the edges). After normalization, zero is the mean. */
export function cutout(images: tf.Tensor4D, y: ArrayLike<number>, x: ArrayLike<number>, size: number): tf.Tensor4D {
  const [n, h, w] = images.shape;
  return tf.tidy(() => {
    const inside = (coords: tf.Tensor, starts: ArrayLike<number>, shape: number[]) => {
      const start = tf.tensor(Array.from(starts), shape);
      return tf.logicalAnd(tf.greaterEqual(coords, start), tf.less(coords, tf.add(start, size)));
    };
    const rows = inside(tf.reshape(tf.range(0, h), [1, h, 1, 1]), y, [n, 1, 1, 1]);
    const cols = inside(tf.reshape(tf.range(0, w), [1, 1, w, 1]), x, [n, 1, 1, 1]);
    const keep = tf.sub(1, tf.cast(tf.logicalAnd(rows, cols), 'float32'));
    return tf.mul(images, keep);
  });
}

/** Left–right mirror of a whole batch (test-time augmentation). */
export function flipAll(images: tf.Tensor4D): tf.Tensor4D {
  return tf.reverse(images, 2);
}

/** The whole batch shifted by one (dy, dx) with reflect padding (test-time augmentation). */
export function shiftAll(images: tf.Tensor4D, dy: number, dx: number): tf.Tensor4D {
  const n = images.shape[0];
  return translateFlip(images, new Array(n).fill(dy), new Array(n).fill(dx), new Array(n).fill(0));
}
