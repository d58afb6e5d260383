import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { DatasetCache, StorageQuotaError } from '../../../src/lib/data/cache';
import { makeSyntheticSet } from '../../../src/lib/data/synthetic';

describe('DatasetCache', () => {
  const dataset = { train: makeSyntheticSet(30, 1), test: makeSyntheticSet(10, 2) };

  it('round-trips a data set and reports what it holds without the pixels', async () => {
    const cache = new DatasetCache(new IDBFactory());
    expect(await cache.load('cifar10')).toBeUndefined();
    const saved = await cache.save('cifar10', 'http://example/x.parquet', dataset);
    expect(saved).toMatchObject({ trainCount: 30, testCount: 10, bytes: 40 * 3073 });
    const loaded = await cache.load('cifar10');
    expect(loaded!.dataset.train.images).toEqual(dataset.train.images);
    expect(loaded!.dataset.test.labels).toEqual(dataset.test.labels);
    expect(await cache.info('cifar10')).toEqual(saved);
    await cache.clear('cifar10');
    expect(await cache.load('cifar10')).toBeUndefined();
    expect(await cache.info('cifar10')).toBeUndefined();
  });

  it('turns a quota error into a clear message', async () => {
    const factory = new IDBFactory();
    const cache = new DatasetCache(factory);
    // Make the store reject writes the way a full origin does.
    const realOpen = factory.open.bind(factory);
    factory.open = (...args: Parameters<IDBFactory['open']>) => {
      const request = realOpen(...args);
      request.addEventListener('success', () => {
        const db = request.result;
        const transaction = db.transaction.bind(db);
        db.transaction = ((...targs: Parameters<IDBDatabase['transaction']>) => {
          const tx = transaction(...targs);
          if (targs[1] === 'readwrite') {
            queueMicrotask(() => {
              Object.defineProperty(tx, 'error', { value: new DOMException('full', 'QuotaExceededError') });
              tx.abort();
            });
          }
          return tx;
        }) as IDBDatabase['transaction'];
      });
      return request;
    };
    await expect(cache.save('cifar10', 'local files', dataset)).rejects.toThrow(StorageQuotaError);
    await expect(cache.save('cifar10', 'local files', dataset)).rejects.toThrow(/storage quota exceeded/);
  });
});
