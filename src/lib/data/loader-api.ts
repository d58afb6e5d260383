import type { CachedDatasetInfo } from './cache';

export type DataPhase = 'downloading' | 'decoding' | 'saving';

export interface DataProgress {
  phase: DataPhase;
  /** The file being worked on. */
  file: string;
  /** Bytes downloaded (of this file) or images decoded (of all), so far and in all when known. */
  done: number;
  total?: number;
  unit: 'bytes' | 'images';
}

/** The data worker: fetches or reads CIFAR-10 files, decodes them, and caches the result for the trainers. */
export interface DataApi {
  cached(): Promise<CachedDatasetInfo | undefined>;
  loadUrls(urls: string[], onProgress: (progress: DataProgress) => void): Promise<CachedDatasetInfo>;
  loadFiles(files: File[], onProgress: (progress: DataProgress) => void): Promise<CachedDatasetInfo>;
  clear(): Promise<void>;
}

/** The key under which the decoded CIFAR-10 data set is cached. */
export const CIFAR10_CACHE_KEY = 'cifar10';

/** Hugging Face's copy of CIFAR-10 (uoft-cs/cifar10): its CDN allows a plain cross-origin GET. */
export const DEFAULT_CIFAR10_URLS = [
  'https://huggingface.co/datasets/uoft-cs/cifar10/resolve/main/plain_text/train-00000-of-00001.parquet',
  'https://huggingface.co/datasets/uoft-cs/cifar10/resolve/main/plain_text/test-00000-of-00001.parquet',
];
