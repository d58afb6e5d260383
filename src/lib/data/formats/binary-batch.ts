import { CLASSES, IMAGE_SIZE, PIXELS_PER_IMAGE, type ImageSet } from '../image-set';
import { CifarFormatError, formatCount } from './errors';

/** One label byte, then the red, green and blue 32x32 planes. */
export const RECORD_BYTES = 1 + PIXELS_PER_IMAGE;
export const OFFICIAL_RECORDS_PER_BATCH = 10_000;
export const TRAIN_BATCHES = 5;

const PLANE = IMAGE_SIZE * IMAGE_SIZE;

export type BatchRole = { split: 'train'; index: number } | { split: 'test'; index: 0 };

export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1];
}

/** Which official batch a file name denotes (`data_batch_1.bin`..`_5`, `test_batch.bin`), if any. */
export function batchRole(path: string): BatchRole | null {
  const name = baseName(path);
  if (name === 'test_batch.bin') return { split: 'test', index: 0 };
  const m = /^data_batch_([1-5])\.bin$/.exec(name);
  return m ? { split: 'train', index: Number(m[1]) } : null;
}

export function batchFileName(role: BatchRole): string {
  return role.split === 'test' ? 'test_batch.bin' : `data_batch_${role.index}.bin`;
}

/** Size check for a batch whose length is known up front; the same rule applies after streaming. */
export function checkBatchSize(file: string, bytes: number, recordsPerBatch: number): void {
  if (bytes % RECORD_BYTES !== 0) {
    throw new CifarFormatError(
      file,
      `${formatCount(bytes)} bytes is not a whole number of ${formatCount(RECORD_BYTES)}-byte records ` +
        `(1 label byte + ${formatCount(PIXELS_PER_IMAGE)} pixel bytes); not a CIFAR-10 binary batch, or truncated`,
    );
  }
  const records = bytes / RECORD_BYTES;
  if (records !== recordsPerBatch) {
    throw new CifarFormatError(
      file,
      `holds ${formatCount(records)} records (${formatCount(bytes)} bytes) but a CIFAR-10 batch file holds ` +
        `${formatCount(recordsPerBatch)} (${formatCount(recordsPerBatch * RECORD_BYTES)} bytes)` +
        (records < recordsPerBatch ? '; the file looks truncated' : ''),
    );
  }
}

/**
 * Turns a batch's planar records into NHWC images inside a target set as the bytes arrive, so a
 * streamed or archived batch never needs a whole-file buffer of its own.
 */
export class BatchWriter {
  private readonly partial = new Uint8Array(RECORD_BYTES);
  private partialFill = 0;
  /** Records seen so far (stored or not). */
  records = 0;
  /** Bytes seen so far. */
  bytes = 0;

  /**
   * @param keep how many leading records to store (a limit may want fewer than the batch holds)
   * @param firstSlot index in the target where this batch's record 0 goes
   */
  constructor(
    private readonly file: string,
    private readonly target: ImageSet,
    private readonly firstSlot: number,
    private readonly keep: number,
  ) {}

  /** True once every record that is to be stored has been. */
  get satisfied(): boolean {
    return this.records >= this.keep;
  }

  push(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    let at = 0;
    if (this.partialFill > 0) {
      const take = Math.min(RECORD_BYTES - this.partialFill, chunk.length);
      this.partial.set(chunk.subarray(0, take), this.partialFill);
      this.partialFill += take;
      at = take;
      if (this.partialFill < RECORD_BYTES) return;
      this.store(this.partial, 0, 1);
      this.partialFill = 0;
    }
    const whole = Math.floor((chunk.length - at) / RECORD_BYTES);
    this.store(chunk, at, whole);
    at += whole * RECORD_BYTES;
    if (at < chunk.length) {
      this.partial.set(chunk.subarray(at), 0);
      this.partialFill = chunk.length - at;
    }
  }

  private store(src: Uint8Array, at: number, count: number): void {
    const first = this.records;
    this.records += count;
    const n = Math.min(count, this.keep - first);
    if (n <= 0) return;
    const labels = this.target.labels;
    for (let i = 0; i < n; i++) {
      const label = src[at + i * RECORD_BYTES];
      if (label >= CLASSES) {
        throw new CifarFormatError(this.file, `label ${label} is out of range (expected 0–${CLASSES - 1})`, { record: first + i });
      }
      labels[this.firstSlot + first + i] = label;
    }
    planarToNhwc(src, at, n, this.target.images, (this.firstSlot + first) * PIXELS_PER_IMAGE);
  }
}

/** One loop over many records: per-record calls made this several times slower in V8. */
function planarToNhwc(src: Uint8Array, at: number, count: number, out: Uint8Array, outAt: number): void {
  for (let n = 0; n < count; n++) {
    const r = at + n * RECORD_BYTES + 1;
    const g = r + PLANE;
    const b = g + PLANE;
    const o = outAt + n * PIXELS_PER_IMAGE;
    for (let p = 0; p < PLANE; p++) {
      const q = o + p * 3;
      out[q] = src[r + p];
      out[q + 1] = src[g + p];
      out[q + 2] = src[b + p];
    }
  }
}

export function emptySet(count: number): ImageSet {
  return { images: new Uint8Array(count * PIXELS_PER_IMAGE), labels: new Uint8Array(count), count };
}

/**
 * One whole batch file in memory to an ImageSet. Any whole number of records is accepted unless
 * `recordsPerBatch` is given (the multi-file readers always give it; see docs/DATA.md).
 */
export function decodeBinaryBatch(file: string, bytes: Uint8Array, options: { recordsPerBatch?: number } = {}): ImageSet {
  const records = bytes.length / RECORD_BYTES;
  checkBatchSize(file, bytes.length, options.recordsPerBatch ?? (Number.isInteger(records) ? records : -1));
  const set = emptySet(records);
  new BatchWriter(file, set, 0, records).push(bytes);
  return set;
}
