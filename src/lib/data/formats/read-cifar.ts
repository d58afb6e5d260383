import { baseName, batchRole } from './binary-batch';
import { readBinaryBatches } from './binary-files';
import { readCifarTarGz } from './cifar-tar';
import { readCifarParquet } from './cifar-parquet';
import { CifarFormatError } from './errors';
import { ProgressTracker } from './progress';
import type { CheckedDataset, CifarFile, CifarReadOptions, ProgressCallback } from './types';

export type CifarLayout = 'binary' | 'tar.gz' | 'parquet';

/** Companions of the official files that carry nothing the reader needs. */
const IGNORED = new Set(['batches.meta.txt', 'readme.html']);

/** Which layout a file belongs to by its name, or null for a companion file that is ignored. */
export function layoutOf(path: string): CifarLayout | null {
  const name = baseName(path);
  const lower = name.toLowerCase();
  if (IGNORED.has(lower) || name.startsWith('.')) return null;
  if (lower.endsWith('.tar.gz') || lower.endsWith('.tgz')) return 'tar.gz';
  if (lower.endsWith('.parquet')) return 'parquet';
  if (batchRole(name)) return 'binary';
  throw new CifarFormatError(
    path,
    'not a CIFAR-10 file this reader knows (expected data_batch_1..5.bin + test_batch.bin, cifar-10-binary.tar.gz, or train/test .parquet files)',
  );
}

/**
 * Reads CIFAR-10 from whichever layout the files are in: the six binary batches (any order), one
 * `cifar-10-binary.tar.gz`, or the Hugging Face train and test parquet files. The layout is told
 * from the file names; the contents are then checked against it.
 */
export async function readCifarFiles(files: CifarFile[], options: CifarReadOptions | ProgressCallback = {}): Promise<CheckedDataset> {
  const opts: CifarReadOptions = typeof options === 'function' ? { onProgress: options } : options;
  if (opts.limit !== undefined && !(Number.isInteger(opts.limit) && opts.limit >= 0)) throw new RangeError(`limit must be a non-negative integer, got ${opts.limit}`);
  const relevant = files.filter((f) => layoutOf(f.name) !== null);
  const layouts = new Set(relevant.map((f) => layoutOf(f.name)!));
  if (relevant.length === 0) throw new CifarFormatError(files.map((f) => f.name).join(', ') || '(no files)', 'no CIFAR-10 data files given');
  if (layouts.size > 1) {
    throw new CifarFormatError(relevant.map((f) => f.name).join(', '), `files of different layouts (${[...layouts].join(', ')}); give one layout only`);
  }
  const tracker = new ProgressTracker(opts.onProgress);
  const layout = [...layouts][0];
  if (layout === 'binary') return readBinaryBatches(relevant, opts, tracker);
  if (layout === 'parquet') return readCifarParquet(relevant, opts, tracker);
  if (relevant.length > 1) throw new CifarFormatError(relevant.map((f) => f.name).join(', '), 'more than one archive; give only cifar-10-binary.tar.gz');
  return readCifarTarGz(relevant[0], opts, tracker);
}
