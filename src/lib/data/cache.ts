import type { CheckedDataset } from './formats/types';
import type { ImageDataset, ImageSet } from './image-set';
import { imageSetsDigest } from './digest';

/**
 * The decoded data set lives in IndexedDB: it works in the page and in every worker (so each
 * trainer reads it itself, no copy per trial), stores ArrayBuffers without encoding, and its
 * quota errors are explicit. See docs/DECISIONS.md.
 */
const DB_NAME = 'tabtune';
const STORE = 'datasets';

export interface CachedDatasetInfo {
  name: string;
  source: string;
  trainCount: number;
  testCount: number;
  bytes: number;
  savedAt: number;
  /** `imageSetsDigest([train, test])`: what names this set to workers on other machines. Absent in entries cached before it was kept. */
  sha256?: string;
}

interface StoredDataset extends CachedDatasetInfo {
  trainImages: ArrayBuffer;
  trainLabels: ArrayBuffer;
  testImages: ArrayBuffer;
  testLabels: ArrayBuffer;
}

export class StorageQuotaError extends Error {
  constructor(bytes: number) {
    super(
      `The browser refused to store the data set (${(bytes / 1024 ** 2).toFixed(0)} MB): storage quota exceeded. ` +
        'Free space for this site (or leave private browsing) and load it again; until then it must be downloaded on every visit.',
    );
    this.name = 'StorageQuotaError';
  }
}

export class DatasetCache {
  constructor(private readonly factory: IDBFactory = globalThis.indexedDB) {}

  /**
   * Stores a decoded set. Only a set whose reader ran every check to the end is accepted: the
   * trainers read the cache without decoding again, so an unchecked set would be trained on for
   * as long as it stays cached.
   */
  async save(name: string, source: string, dataset: CheckedDataset): Promise<CachedDatasetInfo> {
    if (dataset.verified !== true) {
      throw new Error(`Refusing to cache the data set from ${source}: its checks did not all run (it is not verified), so it may be partial or corrupt.`);
    }
    const info: CachedDatasetInfo = {
      name,
      source,
      trainCount: dataset.train.count,
      testCount: dataset.test.count,
      bytes: dataset.train.images.byteLength + dataset.test.images.byteLength + dataset.train.count + dataset.test.count,
      savedAt: Date.now(),
      sha256: await imageSetsDigest([dataset.train, dataset.test]),
    };
    const record: StoredDataset = {
      ...info,
      trainImages: copyBuffer(dataset.train.images),
      trainLabels: copyBuffer(dataset.train.labels),
      testImages: copyBuffer(dataset.test.images),
      testLabels: copyBuffer(dataset.test.labels),
    };
    try {
      await this.request('readwrite', (store) => {
        store.put(record, name);
        return store.put(info, infoKey(name));
      });
    } catch (error) {
      if ((error as DOMException)?.name === 'QuotaExceededError') throw new StorageQuotaError(info.bytes);
      throw error;
    }
    return info;
  }

  async load(name: string): Promise<{ info: CachedDatasetInfo; dataset: ImageDataset } | undefined> {
    const record = await this.request<StoredDataset | undefined>('readonly', (store) => store.get(name));
    if (!record) return undefined;
    const { trainImages, trainLabels, testImages, testLabels, ...info } = record;
    const set = (images: ArrayBuffer, labels: ArrayBuffer, count: number): ImageSet => ({
      images: new Uint8Array(images),
      labels: new Uint8Array(labels),
      count,
    });
    return { info, dataset: { train: set(trainImages, trainLabels, info.trainCount), test: set(testImages, testLabels, info.testCount) } };
  }

  /** What is cached, without reading the pixels. */
  async info(name: string): Promise<CachedDatasetInfo | undefined> {
    return this.request<CachedDatasetInfo | undefined>('readonly', (store) => store.get(infoKey(name)));
  }

  /** The cached set's content hash, computed once (and kept) for an entry cached before hashes were; undefined when nothing is cached. */
  async digest(name: string): Promise<string | undefined> {
    const info = await this.info(name);
    if (!info) return undefined;
    if (info.sha256) return info.sha256;
    const loaded = await this.load(name);
    if (!loaded) return undefined;
    const sha256 = await imageSetsDigest([loaded.dataset.train, loaded.dataset.test]);
    await this.request('readwrite', (store) => store.put({ ...info, sha256 }, infoKey(name)));
    return sha256;
  }

  async clear(name: string): Promise<void> {
    await this.request('readwrite', (store) => {
      store.delete(name);
      return store.delete(infoKey(name));
    });
  }

  private async request<T>(mode: IDBTransactionMode, action: (store: IDBObjectStore) => IDBRequest): Promise<T> {
    if (!this.factory) throw new Error('This browser has no IndexedDB, so the data set cannot be cached.');
    const db = await this.open();
    try {
      return await new Promise<T>((resolve, reject) => {
        const transaction = db.transaction(STORE, mode);
        const request = action(transaction.objectStore(STORE));
        let result: T;
        request.onsuccess = () => (result = request.result as T);
        transaction.oncomplete = () => resolve(result);
        transaction.onerror = () => reject(transaction.error ?? request.error);
        transaction.onabort = () => reject(transaction.error ?? request.error ?? new Error('The storage transaction was aborted.'));
      });
    } finally {
      db.close();
    }
  }

  private open(): Promise<IDBDatabase> {
    return new Promise((resolve, reject) => {
      const request = this.factory.open(DB_NAME, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new Error('The data cache is blocked by another open tab of TabTune; close it and retry.'));
    });
  }
}

const infoKey = (name: string) => `${name}:info`;

/** A standalone buffer holding exactly the view's bytes (views may share a larger buffer). */
function copyBuffer(view: Uint8Array): ArrayBuffer {
  return view.buffer.byteLength === view.byteLength && view.byteOffset === 0 ? (view.buffer as ArrayBuffer) : view.slice().buffer;
}
