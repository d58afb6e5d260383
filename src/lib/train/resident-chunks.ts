/**
 * How a training set is cut into GPU storage buffers when it is kept on the device: whole images
 * per buffer, every buffer within the binding limit. Pure arithmetic, so the split can be tested
 * with any limit on any machine.
 */

import type { Placement } from './augment';

/** One buffer's share of the set: images `start` … `start + count − 1`. */
export interface Chunk {
  start: number;
  count: number;
  /** Its size in bytes: whole images, a multiple of 4 (WebGPU writes and binds whole words). */
  bytes: number;
}

export interface ChunkPlan {
  /** Every chunk but the last holds exactly this many images, so an image's chunk is a division. */
  imagesPerChunk: number;
  chunks: Chunk[];
}

/**
 * Cuts `count` images of `bytesPerImage` bytes into chunks of at most `maxChunkBytes` each.
 * `bytesPerImage` must be a multiple of 4 (CIFAR's 3,072 is), so a chunk holds whole u32 words
 * and a pixel's word never straddles two buffers.
 */
export function planChunks(count: number, bytesPerImage: number, maxChunkBytes: number): ChunkPlan {
  if (bytesPerImage <= 0 || bytesPerImage % 4 !== 0) throw new Error(`An image must be a whole number of 4-byte words; got ${bytesPerImage} bytes.`);
  const imagesPerChunk = Math.floor(maxChunkBytes / bytesPerImage);
  if (imagesPerChunk < 1) throw new Error(`A GPU buffer of ${maxChunkBytes} bytes cannot hold one ${bytesPerImage}-byte image.`);
  const chunks: Chunk[] = [];
  for (let start = 0; start < count; start += imagesPerChunk) {
    const n = Math.min(imagesPerChunk, count - start);
    chunks.push({ start, count: n, bytes: n * bytesPerImage });
  }
  return { imagesPerChunk, chunks };
}

/** Which chunk holds image `index`, and where in it. */
export function locate(plan: ChunkPlan, index: number): { chunk: number; local: number } {
  const chunk = Math.floor(index / plan.imagesPerChunk);
  return { chunk, local: index - chunk * plan.imagesPerChunk };
}

/** The labels as bytes padded to whole 4-byte words (at least one), as a storage buffer must be. */
export function paddedLabels(labels: Uint8Array): Uint8Array {
  const padded = new Uint8Array(Math.max(4, Math.ceil(labels.length / 4) * 4));
  padded.set(labels);
  return padded;
}

/** The ints each image of a batch sends to the assembly kernel, in this order. */
export const BATCH_FIELDS = ['chunk', 'local', 'dy', 'dx', 'flip', 'cutoutY', 'cutoutX', 'index'] as const;

/**
 * One step's only upload: for every image of the batch, where it lies (chunk, index within the
 * chunk, index within the set, for its label) and its placement. Without cutout the corner is 0
 * and the kernel's cutout size is 0.
 */
export function packBatch(plan: ChunkPlan, indices: ArrayLike<number>, placement: Placement): Int32Array {
  const fields = BATCH_FIELDS.length;
  const packed = new Int32Array(indices.length * fields);
  for (let i = 0; i < indices.length; i++) {
    const { chunk, local } = locate(plan, indices[i]);
    const row = [chunk, local, placement.dy[i], placement.dx[i], placement.flip[i], placement.cutout?.y[i] ?? 0, placement.cutout?.x[i] ?? 0, indices[i]];
    packed.set(row, i * fields);
  }
  return packed;
}
