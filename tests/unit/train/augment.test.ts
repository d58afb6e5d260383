import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../../src/lib/rng';
import { augment, cutout, drawPlacement, flipAll, shiftAll, translateFlip } from '../../../src/lib/train/augment';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A 1×3×4×1 image whose pixel (y, x) holds 10·y + x. */
const image = () => tf.tensor4d([0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23], [1, 3, 4, 1]);
const rows = (t: tf.Tensor) => (t.arraySync() as number[][][][])[0].map((row) => row.map((p) => p[0]));

describe('augmentation on a hand-made tensor', () => {
  it('translates with reflect padding (no repeated edge pixel)', () => {
    const x = image();
    expect(rows(translateFlip(x, [0], [1], [0]))).toEqual([[1, 2, 3, 2], [11, 12, 13, 12], [21, 22, 23, 22]]);
    expect(rows(translateFlip(x, [0], [-2], [0]))).toEqual([[2, 1, 0, 1], [12, 11, 10, 11], [22, 21, 20, 21]]);
    expect(rows(translateFlip(x, [1], [0], [0]))).toEqual([[10, 11, 12, 13], [20, 21, 22, 23], [10, 11, 12, 13]]);
    expect(rows(translateFlip(x, [-1], [-1], [0]))).toEqual([[11, 10, 11, 12], [1, 0, 1, 2], [11, 10, 11, 12]]);
  });

  it('matches a crop of the reflect-padded image at every offset', () => {
    const x = image();
    const padded = tf.mirrorPad(x, [[0, 0], [2, 2], [2, 2], [0, 0]], 'reflect');
    for (let dy = -2; dy <= 2; dy++) {
      for (let dx = -2; dx <= 2; dx++) {
        const crop = tf.slice(padded, [0, dy + 2, dx + 2, 0], [1, 3, 4, 1]);
        expect(rows(translateFlip(x, [dy], [dx], [0]))).toEqual(rows(crop));
      }
    }
  });

  it('mirrors left–right after translating, per image', () => {
    const x = tf.concat([image(), tf.add(image(), 100)]) as tf.Tensor4D;
    const out = translateFlip(x, [0, 0], [0, 1], [1, 1]).arraySync() as number[][][][];
    expect(out[0].map((r) => r.map((p) => p[0]))).toEqual([[3, 2, 1, 0], [13, 12, 11, 10], [23, 22, 21, 20]]);
    expect(out[1].map((r) => r.map((p) => p[0]))).toEqual([[102, 103, 102, 101], [112, 113, 112, 111], [122, 123, 122, 121]]);
    expect(rows(flipAll(image()))).toEqual([[3, 2, 1, 0], [13, 12, 11, 10], [23, 22, 21, 20]]);
    expect(rows(shiftAll(image(), 0, 1))).toEqual([[1, 2, 3, 2], [11, 12, 13, 12], [21, 22, 23, 22]]);
  });

  it('keeps channels together', () => {
    const x = tf.tensor4d([1, -1, 2, -2, 3, -3, 4, -4], [1, 2, 2, 2]);
    expect(translateFlip(x, [0], [0], [1]).arraySync()).toEqual([[[[2, -2], [1, -1]], [[4, -4], [3, -3]]]]);
  });

  it('cuts out a square clipped at the edges', () => {
    const x = tf.add(image(), 1) as tf.Tensor4D;
    expect(rows(cutout(x, [-1], [2], 2))).toEqual([[1, 2, 0, 0], [11, 12, 13, 14], [21, 22, 23, 24]]);
    expect(rows(cutout(x, [1], [0], 2))).toEqual([[1, 2, 3, 4], [0, 0, 13, 14], [0, 0, 23, 24]]);
  });

  it('draws placements within range; alternating flips invert every other epoch', () => {
    const state = Uint8Array.from([0, 1, 1, 0]);
    const opts = { cropPad: 2, flip: 'alternating' as const, cutout: 0 };
    const e1 = drawPlacement(createRng(1), [0, 1, 2, 3], 1, opts, state, 32);
    const e2 = drawPlacement(createRng(1), [3, 2, 1, 0], 2, opts, state, 32);
    expect([...e1.flip]).toEqual([0, 1, 1, 0]);
    expect([...e2.flip]).toEqual([1, 0, 0, 1]);
    const many = drawPlacement(createRng(2), new Array(500).fill(0), 1, { cropPad: 4, flip: 'random', cutout: 8 }, state, 32);
    expect(Math.min(...many.dy, ...many.dx)).toBe(-4);
    expect(Math.max(...many.dy, ...many.dx)).toBe(4);
    const flips = many.flip.reduce((s, f) => s + f, 0);
    expect(flips).toBeGreaterThan(200);
    expect(flips).toBeLessThan(300);
    // The cutout square lies wholly inside the image (Page's), and every corner in range is drawn.
    for (const corner of [many.cutout!.y, many.cutout!.x]) {
      expect(Math.min(...corner)).toBe(0);
      expect(Math.max(...corner)).toBe(32 - 8);
    }
    // So each image loses exactly cutout² pixels.
    const few = drawPlacement(createRng(4), new Array(6).fill(0), 1, { cropPad: 0, flip: 'none', cutout: 8 }, state, 32);
    const ones = tf.ones([6, 32, 32, 1]) as tf.Tensor4D;
    const cut = augment(ones, few);
    expect([...tf.sum(cut, [1, 2, 3]).dataSync()]).toEqual(new Array(6).fill(32 * 32 - 64));
    tf.dispose([ones, cut]);
    const none = drawPlacement(createRng(3), [0, 1], 1, { cropPad: 0, flip: 'none', cutout: 0 }, state, 32);
    expect(rows(augment(image(), { dy: none.dy.subarray(0, 1), dx: none.dx.subarray(0, 1), flip: none.flip.subarray(0, 1) }))).toEqual(rows(image()));
  });
});
