import {
  BatchWriter,
  OFFICIAL_RECORDS_PER_BATCH,
  RECORD_BYTES,
  TRAIN_BATCHES,
  batchFileName,
  batchRole,
  checkBatchSize,
  emptySet,
  type BatchRole,
} from './binary-batch';
import { CifarFormatError, formatCount } from './errors';
import { ProgressTracker } from './progress';
import { isBlob, isStream, knownSize } from './sources';
import { StreamReader } from './stream-reader';
import type { CheckedDataset, CifarFile, CifarReadOptions } from './types';

const STREAM_STEP = 1 << 20;

/** Where each batch lands in the combined sets, and how many of its records a limit keeps. */
export interface BatchPlan {
  recordsPerBatch: number;
  /** Unverified until the reader that fills it has run all its checks. */
  dataset: CheckedDataset;
  slot(role: BatchRole): { target: 'train' | 'test'; first: number; keep: number };
}

export function planBatches(options: CifarReadOptions): BatchPlan {
  const recordsPerBatch = options.recordsPerBatch ?? OFFICIAL_RECORDS_PER_BATCH;
  if (!Number.isInteger(recordsPerBatch) || recordsPerBatch < 1) throw new RangeError(`recordsPerBatch must be a positive integer, got ${recordsPerBatch}`);
  const limit = options.limit ?? Infinity;
  const trainCount = Math.min(limit, TRAIN_BATCHES * recordsPerBatch);
  const testCount = Math.min(limit, recordsPerBatch);
  const dataset: CheckedDataset = { train: emptySet(trainCount), test: emptySet(testCount), verified: false };
  return {
    recordsPerBatch,
    dataset,
    slot(role) {
      if (role.split === 'test') return { target: 'test', first: 0, keep: testCount };
      const first = (role.index - 1) * recordsPerBatch;
      return { target: 'train', first, keep: Math.max(0, Math.min(recordsPerBatch, trainCount - first)) };
    },
  };
}

/** The six official batch files (any order, extra files already filtered out) to one dataset. */
export async function readBinaryBatches(files: CifarFile[], options: CifarReadOptions = {}, tracker = new ProgressTracker(options.onProgress)): Promise<CheckedDataset> {
  const byRole = new Map<string, CifarFile>();
  for (const file of files) {
    const role = batchRole(file.name);
    if (!role) throw new CifarFormatError(file.name, 'not a CIFAR-10 batch name (expected data_batch_1.bin … data_batch_5.bin, test_batch.bin)');
    const key = batchFileName(role);
    if (byRole.has(key)) throw new CifarFormatError(file.name, `given twice (also ${byRole.get(key)!.name})`);
    byRole.set(key, file);
  }
  const roles: BatchRole[] = [1, 2, 3, 4, 5].map((index) => ({ split: 'train', index }) as BatchRole);
  roles.push({ split: 'test', index: 0 });
  const missing = roles.map(batchFileName).filter((n) => !byRole.has(n));
  if (missing.length > 0) {
    throw new CifarFormatError(missing[0], `missing; the binary layout needs all six batch files (missing: ${missing.join(', ')})`);
  }

  const plan = planBatches(options);
  const sizes = roles.map((r) => knownSize(byRole.get(batchFileName(r))!.data));
  // Sizes are checked before anything is read so a wrong file fails fast, not after minutes of work.
  roles.forEach((r, i) => {
    if (sizes[i] !== undefined) checkBatchSize(byRole.get(batchFileName(r))!.name, sizes[i]!, plan.recordsPerBatch);
  });
  tracker.totalBytes = sizes.every((s) => s !== undefined) ? sizes.reduce((a, b) => a! + b!, 0) : undefined;
  tracker.totalImages = plan.dataset.train.count + plan.dataset.test.count;

  for (const role of roles) {
    const file = byRole.get(batchFileName(role))!;
    const slot = plan.slot(role);
    tracker.file = file.name;
    const writer = new BatchWriter(file.name, plan.dataset[slot.target], slot.first, slot.keep);
    await feedBatch(file, writer, slot.keep, plan.recordsPerBatch, tracker);
  }
  // The format carries no checksum; every record returned had its label checked.
  plan.dataset.verified = true;
  return plan.dataset;
}

async function feedBatch(file: CifarFile, writer: BatchWriter, keep: number, recordsPerBatch: number, tracker: ProgressTracker): Promise<void> {
  const wanted = keep * RECORD_BYTES;
  const { data } = file;
  if (data instanceof Uint8Array) {
    for (let at = 0; at < wanted; at += STREAM_STEP) {
      const before = writer.records;
      writer.push(data.subarray(at, Math.min(wanted, at + STREAM_STEP)));
      tracker.addBytes(Math.min(STREAM_STEP, wanted - at));
      tracker.addImages(Math.min(writer.records, keep) - Math.min(before, keep));
    }
    return;
  }
  const stream = isStream(data) ? data : isBlob(data) ? (data.slice(0, wanted).stream() as ReadableStream<Uint8Array>) : null;
  if (!stream) throw new TypeError(`${file.name}: unsupported data type`);
  const reader = new StreamReader(stream);
  const sizeKnown = knownSize(data) !== undefined;
  try {
    for (;;) {
      // With a known size the rest of the file was already checked, so reading stops at the limit;
      // a stream of unknown size is read to the end so its record count can be checked.
      if (writer.satisfied && sizeKnown) break;
      const chunk = await reader.next(STREAM_STEP);
      if (chunk === null) break;
      const before = writer.records;
      writer.push(chunk);
      tracker.addBytes(chunk.length);
      tracker.addImages(Math.min(writer.records, keep) - Math.min(before, keep));
    }
  } finally {
    await reader.cancel();
  }
  if (!sizeKnown) checkBatchSize(file.name, writer.bytes, recordsPerBatch);
  else if (writer.records < keep) {
    throw new CifarFormatError(file.name, `ended after ${formatCount(writer.bytes)} bytes, expected at least ${formatCount(keep * RECORD_BYTES)}; truncated`);
  }
}
