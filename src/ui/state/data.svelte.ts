import * as Comlink from 'comlink';
import type { CachedDatasetInfo } from '../../lib/data/cache';
import { CIFAR10_CACHE_KEY, DEFAULT_CIFAR10_URLS, type DataApi, type DataProgress } from '../../lib/data/loader-api';
import type { WorkerApi } from '../../../workers/connect';
import { spawnData } from '../../../workers/spawn';

/** CIFAR-10 as the page knows it: cached or not, loading with progress, or failed with a reason. */
export class DataState {
  urls = $state(DEFAULT_CIFAR10_URLS.join('\n'));
  info = $state<CachedDatasetInfo | undefined>();
  progress = $state<DataProgress | undefined>();
  busy = $state(false);
  error = $state<string | undefined>();
  checked = $state(false);

  readonly cacheKey = CIFAR10_CACHE_KEY;

  async init(): Promise<void> {
    try {
      this.info = await this.withWorker((api) => api.cached());
    } catch (error) {
      this.error = (error as Error).message;
    } finally {
      this.checked = true;
    }
  }

  download(): Promise<void> {
    const urls = this.urls.split(/\s+/).filter(Boolean);
    if (urls.length === 0) {
      this.error = 'Enter at least one URL.';
      return Promise.resolve();
    }
    return this.load((api, onProgress) => api.loadUrls(urls, onProgress));
  }

  loadFiles(files: File[]): Promise<void> {
    if (files.length === 0) return Promise.resolve();
    return this.load((api, onProgress) => api.loadFiles(files, onProgress));
  }

  async clear(): Promise<void> {
    await this.withWorker((api) => api.clear());
    this.info = undefined;
  }

  private async load(action: (api: WorkerApi<DataApi>, onProgress: (p: DataProgress) => void) => Promise<CachedDatasetInfo>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.error = undefined;
    this.progress = undefined;
    try {
      this.info = await this.withWorker((api) => action(api, Comlink.proxy((p: DataProgress) => (this.progress = p))));
    } catch (error) {
      this.error = (error as Error).message;
    } finally {
      this.busy = false;
      this.progress = undefined;
    }
  }

  /** A data worker lives only as long as one request: decoding buffers are freed with it. */
  private async withWorker<T>(use: (api: WorkerApi<DataApi>) => Promise<T>): Promise<T> {
    const worker = spawnData();
    try {
      return await use(worker.api);
    } finally {
      worker.terminate();
    }
  }
}
