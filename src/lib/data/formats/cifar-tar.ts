import type { ImageSet } from '../image-set';
import { BatchWriter, RECORD_BYTES, batchFileName, batchRole, checkBatchSize, type BatchRole } from './binary-batch';
import { planBatches, type BatchPlan } from './binary-files';
import { CifarFormatError } from './errors';
import { gunzipStream } from './gzip';
import { ProgressTracker } from './progress';
import { knownSize, toStream } from './sources';
import { StreamReader } from './stream-reader';
import { tarEntries } from './tar';
import type { CheckedDataset, CifarFile, CifarReadOptions } from './types';

const ALL_BATCHES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'];

export interface TarBatch {
  /** Entry path inside the archive, e.g. `cifar-10-batches-bin/data_batch_3.bin`. */
  entry: string;
  role: BatchRole;
  /** The batch's images (only those a limit keeps), a view into `dataset`. */
  set: ImageSet;
  /** The combined dataset being filled; complete and verified only once the iteration ends. */
  dataset: CheckedDataset;
}

function view(set: ImageSet, first: number, count: number): ImageSet {
  const px = set.images.length / Math.max(1, set.count);
  return {
    images: set.images.subarray(first * px, (first + count) * px),
    labels: set.labels.subarray(first, first + count),
    count,
  };
}

/**
 * The batches of `cifar-10-binary.tar.gz` as each finishes, decoded straight from the
 * decompressed stream into the combined dataset (neither the compressed nor the decompressed
 * archive is ever held whole). The archive is always read to its end, also once a limit is met:
 * only there are the gzip CRC-32 and length checked and the tar's end padding seen, and only then
 * is the dataset marked verified. A consumer that stops iterating early keeps an unverified set.
 */
export async function* readCifarTarGzBatches(archive: CifarFile, options: CifarReadOptions = {}, tracker = new ProgressTracker(options.onProgress)): AsyncGenerator<TarBatch> {
  const plan: BatchPlan = planBatches(options);
  tracker.file = archive.name;
  tracker.totalBytes = knownSize(archive.data);
  tracker.totalImages = plan.dataset.train.count + plan.dataset.test.count;
  const stream = gunzipStream(toStream(archive.data), archive.name, (n) => tracker.addBytes(n));
  const input = new StreamReader(stream);
  const seen = new Map<string, string>();
  try {
    for await (const entry of tarEntries(input, archive.name)) {
      const role = batchRole(entry.name);
      if (!role) continue;
      const key = batchFileName(role);
      const where = `${archive.name}, entry ${entry.name}`;
      if (seen.has(key)) throw new CifarFormatError(where, `second copy of ${key} (first was ${seen.get(key)})`);
      seen.set(key, entry.name);
      checkBatchSize(where, entry.size, plan.recordsPerBatch);
      const slot = plan.slot(role);
      if (slot.keep === 0) continue;
      const writer = new BatchWriter(where, plan.dataset[slot.target], slot.first, slot.keep);
      const wanted = slot.keep * RECORD_BYTES;
      while (writer.bytes < wanted) {
        const chunk = await entry.read(Math.min(1 << 20, wanted - writer.bytes));
        if (chunk === null) break;
        const before = writer.records;
        writer.push(chunk);
        tracker.addImages(writer.records - before);
      }
      yield { entry: entry.name, role, set: view(plan.dataset[slot.target], slot.first, slot.keep), dataset: plan.dataset };
    }
  } finally {
    await input.cancel();
  }
  const missing = ALL_BATCHES.filter((n) => !seen.has(n));
  if (missing.length > 0) {
    throw new CifarFormatError(archive.name, `archive lacks ${missing.map((n) => `cifar-10-batches-bin/${n}`).join(', ')}`);
  }
  plan.dataset.verified = true;
}

/** `cifar-10-binary.tar.gz` to the combined dataset: the five training batches in order, then the test batch. */
export async function readCifarTarGz(archive: CifarFile, options: CifarReadOptions = {}, tracker?: ProgressTracker): Promise<CheckedDataset> {
  // Nothing is read, so nothing is checked: the empty set stays unverified.
  if (options.limit === 0) return planBatches(options).dataset;
  let dataset: CheckedDataset | undefined;
  for await (const batch of readCifarTarGzBatches(archive, options, tracker)) dataset = batch.dataset;
  if (!dataset) throw new CifarFormatError(archive.name, 'archive holds no CIFAR-10 batches');
  return dataset;
}
