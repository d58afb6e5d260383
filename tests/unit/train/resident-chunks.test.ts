import { describe, expect, it } from 'vitest';
import { BATCH_FIELDS, locate, packBatch, paddedLabels, planChunks } from '../../../src/lib/train/resident-chunks';

const CIFAR_IMAGE = 3072;

describe('cutting a resident training set into GPU buffers', () => {
  it("splits CIFAR-10's 50,000 training images over two buffers under the 128 MiB default binding limit", () => {
    const plan = planChunks(50_000, CIFAR_IMAGE, 128 * 1024 * 1024);
    expect(plan.imagesPerChunk).toBe(43_690);
    expect(plan.chunks.map((c) => c.count)).toEqual([43_690, 6_310]);
    expect(plan.chunks.every((c) => c.bytes <= 128 * 1024 * 1024 && c.bytes % 4 === 0)).toBe(true);
    expect(plan.chunks.reduce((sum, c) => sum + c.bytes, 0)).toBe(153_600_000);
  });

  it('keeps one buffer when the set fits, and whole images per buffer at any limit', () => {
    expect(planChunks(45_000, CIFAR_IMAGE, 2 ** 31).chunks).toEqual([{ start: 0, count: 45_000, bytes: 45_000 * CIFAR_IMAGE }]);
    // A limit a little over three images: chunks of three, the last one short.
    const plan = planChunks(10, CIFAR_IMAGE, 3 * CIFAR_IMAGE + 100);
    expect(plan.chunks).toEqual([
      { start: 0, count: 3, bytes: 3 * CIFAR_IMAGE },
      { start: 3, count: 3, bytes: 3 * CIFAR_IMAGE },
      { start: 6, count: 3, bytes: 3 * CIFAR_IMAGE },
      { start: 9, count: 1, bytes: CIFAR_IMAGE },
    ]);
    expect(planChunks(0, CIFAR_IMAGE, 1e6).chunks).toEqual([]);
  });

  it('finds every image in the chunk that holds it', () => {
    const plan = planChunks(10, CIFAR_IMAGE, 3 * CIFAR_IMAGE);
    for (let index = 0; index < 10; index++) {
      const { chunk, local } = locate(plan, index);
      expect(plan.chunks[chunk].start + local).toBe(index);
      expect(local).toBeLessThan(plan.chunks[chunk].count);
    }
  });

  it('refuses a limit below one image, and images that are not whole words', () => {
    expect(() => planChunks(5, CIFAR_IMAGE, CIFAR_IMAGE - 4)).toThrow(/cannot hold one/);
    expect(() => planChunks(5, 3 * 3 * 3, 1e6)).toThrow(/4-byte words/);
  });

  it('pads labels to whole words', () => {
    expect(Array.from(paddedLabels(Uint8Array.from([1, 2, 3, 4, 5])))).toEqual([1, 2, 3, 4, 5, 0, 0, 0]);
    expect(paddedLabels(new Uint8Array(0)).length).toBe(4);
    expect(paddedLabels(new Uint8Array(8)).length).toBe(8);
  });

  it("packs each image's location and placement as the kernel reads them", () => {
    const plan = planChunks(10, CIFAR_IMAGE, 3 * CIFAR_IMAGE);
    const placement = { dy: Int32Array.from([-2, 4]), dx: Int32Array.from([1, -4]), flip: Uint8Array.from([1, 0]), cutout: { y: Int32Array.from([0, 20]), x: Int32Array.from([5, 16]), size: 12 } };
    const packed = packBatch(plan, [7, 2], placement);
    const rows = [Array.from(packed.subarray(0, 8)), Array.from(packed.subarray(8))];
    const named = rows.map((row) => Object.fromEntries(BATCH_FIELDS.map((f, i) => [f, row[i]])));
    expect(named).toEqual([
      { chunk: 2, local: 1, dy: -2, dx: 1, flip: 1, cutoutY: 0, cutoutX: 5, index: 7 },
      { chunk: 0, local: 2, dy: 4, dx: -4, flip: 0, cutoutY: 20, cutoutX: 16, index: 2 },
    ]);
    const plain = packBatch(plan, [9], { dy: new Int32Array(1), dx: new Int32Array(1), flip: new Uint8Array(1) });
    expect(Array.from(plain)).toEqual([3, 0, 0, 0, 0, 0, 0, 9]);
  });
});
