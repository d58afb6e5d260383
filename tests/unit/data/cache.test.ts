import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { DatasetCache, StorageQuotaError } from '../../../src/lib/data/cache';
import { imageSetsDigest } from '../../../src/lib/data/digest';
import { readCifarTarGzBatches, type CheckedDataset } from '../../../src/lib/data/formats';
import { makeSyntheticSet } from '../../../src/lib/data/synthetic';
import { writeBinaryFiles } from '../../fixtures/binary-writer';
import { makeImages } from '../../fixtures/images';
import { writeTarGz } from '../../fixtures/tar-writer';

describe('DatasetCache', () => {
  const dataset: CheckedDataset = { train: makeSyntheticSet(30, 1), test: makeSyntheticSet(10, 2), verified: true };

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

  it('names the cached set by its content hash, and hashes an older entry once, on demand', async () => {
    const cache = new DatasetCache(new IDBFactory());
    const saved = await cache.save('cifar10', 'files', dataset);
    expect(saved.sha256).toBe(await imageSetsDigest([dataset.train, dataset.test]));
    expect(await cache.digest('cifar10')).toBe(saved.sha256);
    // Another set (one pixel changed) is another hash; the same pixels in the same order are the same hash.
    const changed = { ...dataset, test: { ...dataset.test, images: dataset.test.images.slice() } };
    changed.test.images[5] ^= 1;
    expect(await imageSetsDigest([changed.train, changed.test])).not.toBe(saved.sha256);
    expect(await imageSetsDigest([{ ...dataset.train }, dataset.test])).toBe(saved.sha256);
    expect(await cache.digest('nothing-here')).toBeUndefined();
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

  it('refuses an unverified data set and stores nothing', async () => {
    const cache = new DatasetCache(new IDBFactory());
    await expect(cache.save('cifar10', 'local files', { ...dataset, verified: false })).rejects.toThrow(
      /Refusing to cache the data set from local files: its checks did not all run \(it is not verified\)/,
    );
    expect(await cache.info('cifar10')).toBeUndefined();
  });

  it('refuses what a tar.gz read left before its end (gzip trailer unchecked)', async () => {
    const perBatch = 2;
    const files = writeBinaryFiles(makeImages(5 * perBatch, 3), makeImages(perBatch, 4), perBatch);
    const gz = await writeTarGz(files.map((f) => ({ name: `cifar-10-batches-bin/${f.name}`, data: f.data })));
    let early: CheckedDataset | undefined;
    for await (const batch of readCifarTarGzBatches({ name: 'cifar-10-binary.tar.gz', data: gz }, { recordsPerBatch: perBatch })) {
      early = batch.dataset;
      break;
    }
    expect(early?.verified).toBe(false);
    const cache = new DatasetCache(new IDBFactory());
    await expect(cache.save('cifar10', 'local files', early!)).rejects.toThrow(/not verified/);
    let whole: CheckedDataset | undefined;
    for await (const batch of readCifarTarGzBatches({ name: 'cifar-10-binary.tar.gz', data: gz }, { recordsPerBatch: perBatch })) whole = batch.dataset;
    expect(whole?.verified).toBe(true);
    await expect(cache.save('cifar10', 'local files', whole!)).resolves.toMatchObject({ trainCount: 10, testCount: 2 });
  });
});
