import { openAsBlob } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCifarFolder } from '../../../../src/cli/cifar-folder';
import { imageSetsDigest, OFFICIAL_CIFAR10_SHA256 } from '../../../../src/lib/data/digest';
import { readCifarFiles } from '../../../../src/lib/data/formats';
import { CLASSES, PIXELS_PER_IMAGE, type ImageSet } from '../../../../src/lib/data/image-set';
import { writeDuckDbParquet } from '../../../fixtures/duckdb-writer';
import { encodePng } from '../../../fixtures/png-writer';

/**
 * Opt-in check against the official binary batches:
 *   CIFAR10_DIR=/work/shared/data/cifar-10 npx vitest run tests/unit/data/formats
 * The default suite covers every format on generated fixtures and does not need these files.
 */
const dir = process.env.CIFAR10_DIR;

describe.runIf(dir)('official CIFAR-10 files (CIFAR10_DIR)', () => {
  it('reads 50,000 train and 10,000 test images with the known first test record', async () => {
    const data = await loadCifarFolder(dir!);
    expect(data.train.count).toBe(50_000);
    expect(data.test.count).toBe(10_000);
    expect(data.test.labels[0]).toBe(3); // cat
    // Red values of the top row, every third byte in NHWC.
    expect([0, 1, 2].map((x) => data.test.images[x * 3])).toEqual([158, 159, 165]);
    expect(data.train.labels[0]).toBe(6); // frog
    const counts = new Array(CLASSES).fill(0);
    for (const l of data.test.labels) counts[l]++;
    expect(counts).toEqual(new Array(CLASSES).fill(1000));
    const trainCounts = new Array(CLASSES).fill(0);
    for (const l of data.train.labels) trainCounts[l]++;
    expect(trainCounts).toEqual(new Array(CLASSES).fill(5000));
  });

  it('hashes to the official release digest that jobs without a local copy name', async () => {
    const data = await loadCifarFolder(dir!);
    expect(await imageSetsDigest([data.train, data.test])).toBe(OFFICIAL_CIFAR10_SHA256);
  });

  it('reads only what a limit needs', async () => {
    const data = await loadCifarFolder(dir!, { limit: 10 });
    expect(data.train.count).toBe(10);
    expect(data.test.count).toBe(10);
    expect(data.test.labels[0]).toBe(3);
  });

  it('reads a DuckDB ZSTD parquet pair of the first 1,000 images of each split exactly as the binary batches', async () => {
    const binary = await loadCifarFolder(dir!, { limit: 1000 });
    const work = await mkdtemp(join(tmpdir(), 'cifar-real-duckdb-'));
    try {
      const files = [];
      for (const split of ['train', 'test'] as const) {
        const set: ImageSet = binary[split];
        const pngs = await Promise.all(Array.from({ length: set.count }, (_, n) => encodePng(set.images.subarray(n * PIXELS_PER_IMAGE, (n + 1) * PIXELS_PER_IMAGE))));
        const path = join(work, `${split}-00000-of-00001.parquet`);
        await writeDuckDbParquet(path, pngs, set.labels, { codec: 'zstd' });
        files.push({ name: path, data: (await openAsBlob(path)) as unknown as Blob });
      }
      const parquet = await readCifarFiles(files);
      for (const split of ['train', 'test'] as const) {
        expect(parquet[split].count).toBe(1000);
        expect(Buffer.compare(parquet[split].images, binary[split].images)).toBe(0);
        expect(Buffer.compare(parquet[split].labels, binary[split].labels)).toBe(0);
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});
