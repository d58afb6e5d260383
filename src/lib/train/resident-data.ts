import * as tf from '@tensorflow/tfjs';
import { PIXELS_PER_IMAGE, type ImageSet } from '../data/image-set';
import { onWebGpu } from './kernels/program';
import { paddedLabels, planChunks, type ChunkPlan } from './resident-chunks';

/**
 * The training set kept on the GPU as the loader's bytes (four pixels per u32 word), uploaded once
 * and read by every step of every trial on the same data: a step then uploads only its indices
 * and placements. The images are cut into several buffers when they exceed one binding
 * (50,000 CIFAR images are 153.6 MB; WebGPU guarantees 128 MiB per binding).
 */
export interface ResidentSet {
  readonly count: number;
  readonly plan: ChunkPlan;
  /** GPU bytes held: the image chunks and the padded labels. */
  readonly bytes: number;
  /** Zero-copy int32 views of the chunks and of the labels, for one dispatch: the caller disposes them, the buffers stay. */
  views(): { chunks: tf.Tensor1D[]; labels: tf.Tensor1D };
}

/** The parts of tfjs-backend-webgpu's backend used here (not in its public types). */
interface WebGpuBackendInternals {
  device: GPUDevice;
  queue: GPUQueue;
  bufferManager: {
    acquireBuffer(size: number, usage: number, mappedAtCreation?: boolean, reuse?: boolean): GPUBuffer;
    releaseBuffer(buffer: GPUBuffer, reuse?: boolean): void;
  };
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

/** Uploads go in slices of this many bytes, so the driver never stages the whole set at once. */
const UPLOAD_SLICE = 8 * 1024 * 1024;
/** Every dispatch that reads the set also binds its output and the batch's ints. */
const OTHER_STORAGE_BINDINGS = 2;

export interface ResidentOptions {
  /** A lower per-buffer limit than the device's, so tests exercise several chunks with a few images. */
  maxChunkBytes?: number;
}

interface Held {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  backend: WebGpuBackendInternals;
  maxChunkBytes: number;
  buffers: GPUBuffer[];
  resident: ResidentSet;
}

/**
 * What a resident copy is for: the training set, read by every step, and the set being evaluated
 * (the validation split each epoch, the test set at the end), read by the evaluation's batches.
 * Each slot holds one set per worker (per module instance); a different set replaces it.
 */
export type ResidentSlot = 'train' | 'eval';

const held = new Map<ResidentSlot, Held>();
const uploads: Record<ResidentSlot, number> = { train: 0, eval: 0 };

/**
 * The resident copy of `set` in `slot`, uploading it when it is not the one held there (the previous
 * one is released first, so a slot never holds two). Splits are views into one loaded array, so a
 * set is recognized by the memory it views, not by object identity. Undefined off webgpu, or when
 * the set needs more buffers than a dispatch can bind: the caller uploads per batch instead.
 */
export function residentSet(set: ImageSet, slot: ResidentSlot, options: ResidentOptions = {}): ResidentSet | undefined {
  if (!onWebGpu() || set.count === 0) return undefined;
  const backend = tf.backend() as unknown as WebGpuBackendInternals;
  const { device } = backend;
  const maxChunkBytes = options.maxChunkBytes ?? Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  const current = held.get(slot);
  if (current && current.backend === backend && current.maxChunkBytes === maxChunkBytes && sameMemory(current, set)) return current.resident;
  release(slot);
  const plan = planChunks(set.count, PIXELS_PER_IMAGE, maxChunkBytes);
  if (plan.chunks.length > device.limits.maxStorageBuffersPerShaderStage - OTHER_STORAGE_BINDINGS) return undefined;
  const upload = (bytes: Uint8Array) => {
    const buffer = backend.bufferManager.acquireBuffer(bytes.byteLength, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST, false, false);
    for (let offset = 0; offset < bytes.byteLength; offset += UPLOAD_SLICE) {
      const size = Math.min(UPLOAD_SLICE, bytes.byteLength - offset);
      backend.queue.writeBuffer(buffer, offset, bytes.buffer, bytes.byteOffset + offset, size);
    }
    return buffer;
  };
  const chunkBuffers = plan.chunks.map((c) => upload(set.images.subarray(c.start * PIXELS_PER_IMAGE, c.start * PIXELS_PER_IMAGE + c.bytes)));
  const labelBuffer = upload(paddedLabels(set.labels.subarray(0, set.count)));
  const buffers = [...chunkBuffers, labelBuffer];
  uploads[slot]++;
  const view = (buffer: GPUBuffer) => tf.tensor({ buffer, zeroCopy: true }, [buffer.size / 4], 'int32') as tf.Tensor1D;
  const resident: ResidentSet = {
    count: set.count,
    plan,
    bytes: buffers.reduce((sum, b) => sum + b.size, 0),
    views: () => ({ chunks: chunkBuffers.map(view), labels: view(labelBuffer) }),
  };
  held.set(slot, { images: set.images, labels: set.labels, count: set.count, backend, maxChunkBytes, buffers, resident });
  return resident;
}

/** The training set's resident copy (see `residentSet`). */
export function residentTrainingSet(set: ImageSet, options: ResidentOptions = {}): ResidentSet | undefined {
  return residentSet(set, 'train', options);
}

function sameMemory(a: Held, set: ImageSet): boolean {
  const same = (x: Uint8Array, y: Uint8Array) => x.buffer === y.buffer && x.byteOffset === y.byteOffset && x.byteLength === y.byteLength;
  return a.count === set.count && same(a.images, set.images) && same(a.labels, set.labels);
}

/**
 * Frees a slot's set, if any. Work already queued that reads it still runs: WebGPU keeps a
 * destroyed buffer's memory until the commands submitted before the destroy have finished.
 */
function release(slot: ResidentSlot): void {
  const current = held.get(slot);
  if (!current) return;
  held.delete(slot);
  const { backend } = current;
  // tfjs records dispatches before it submits them: a command buffer that binds a destroyed buffer fails validation.
  backend.ensureCommandEncoderReady();
  backend.endComputePassEncoder();
  backend.submitQueue();
  current.buffers.forEach((b) => backend.bufferManager.releaseBuffer(b, false));
}

/** Frees every resident set. */
export function releaseResidentData(): void {
  release('train');
  release('eval');
}

/**
 * Frees the resident sets unless the training set is `set`: a worker calls it when a trial's data
 * is known, so a change of data frees the old copies (the evaluated set with them) before the new
 * trial builds its model, even if that trial never uploads (stock kernels).
 */
export function retainResidentData(set: ImageSet): void {
  const train = held.get('train');
  if (train && !sameMemory(train, set)) releaseResidentData();
}

/** What a slot's resident data costs now, and how many uploads this module has made to it (tests check the training set's stays at one across trials). */
export function residentDataStats(slot: ResidentSlot = 'train'): { bytes: number; uploads: number } {
  return { bytes: held.get(slot)?.resident.bytes ?? 0, uploads: uploads[slot] };
}
