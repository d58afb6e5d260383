import type { ImageDataset } from '../image-set';

/** What the readers accept as file contents: whole bytes, a Blob/File (random access), or a one-pass stream. */
export type CifarData = Uint8Array | Blob | ReadableStream<Uint8Array>;

export interface CifarFile {
  /** File name; a path (e.g. a folder picker's relative path) is fine, only the base name is interpreted. */
  name: string;
  data: CifarData;
}

export interface CifarProgress {
  /** The file being read when this report was made. */
  file: string;
  /** Input bytes consumed so far, over all files (compressed bytes for a .tar.gz). */
  bytes: number;
  /** Sum of the input sizes, where every input has a known size. */
  totalBytes: number | undefined;
  /** Images converted or decoded so far, train and test together. */
  images: number;
  /** Images the read will produce in all, once that is known (after the headers/footers). */
  totalImages: number | undefined;
}

export type ProgressCallback = (progress: CifarProgress) => void;

/**
 * A decoded data set, and whether every check its format carries passed for all of it: gzip
 * CRC-32 and length, tar header checksums and end padding, parquet page CRCs where stored, PNG
 * chunk CRCs and zlib Adler-32, plus the structural and label checks. The readers return `true` or
 * throw; `false` marks a set whose read stopped before its checks ran (a consumer that leaves
 * readCifarTarGzBatches early). Only verified sets may be cached (DatasetCache.save refuses others).
 */
export interface CheckedDataset extends ImageDataset {
  verified: boolean;
}

export interface CifarReadOptions {
  /** Only the first `limit` training images and at most `limit` test images. */
  limit?: number;
  /**
   * Records every binary batch must hold. The official files hold 10,000; tests and hand-made
   * subsets pass a smaller number so the strict default need not be given up for them.
   */
  recordsPerBatch?: number;
  onProgress?: ProgressCallback;
}
