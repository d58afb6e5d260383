import { openAsBlob } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCifarFiles, type CifarFile } from '../../../../src/lib/data/formats';
import { writeBinaryFiles } from '../../../fixtures/binary-writer';
import { expectFormatError, expectSetEquals } from '../../../fixtures/assert';
import { DUCKDB_CODECS, writeDuckDbParquet, type DuckDbParquetOptions } from '../../../fixtures/duckdb-writer';
import { imageAt, makeImages, type Images } from '../../../fixtures/images';
import { encodePng } from '../../../fixtures/png-writer';

/** Parquet written by DuckDB, an independent writer, at test time. */
const PER_BATCH = 3;
const train = makeImages(5 * PER_BATCH, 51);
const test = makeImages(PER_BATCH, 52);
let root: string;
const pngs = new Map<Images, Uint8Array[]>();

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cifar-duckdb-'));
  for (const images of [train, test]) {
    pngs.set(images, await Promise.all(Array.from({ length: images.count }, (_, n) => encodePng(imageAt(images, n), { filters: [n % 5, 4] }))));
  }
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function write(name: string, images: Images, options: DuckDbParquetOptions): Promise<string> {
  const path = join(root, name);
  await writeDuckDbParquet(path, pngs.get(images)!, images.labels, options);
  return path;
}

async function pair(tag: string, options: DuckDbParquetOptions, trainOptions = options): Promise<CifarFile[]> {
  const trainPath = await write(`${tag}-train.parquet`, train, trainOptions);
  const testPath = await write(`${tag}-test.parquet`, test, options);
  return [
    { name: 'train-00000-of-00001.parquet', data: (await openAsBlob(trainPath)) as unknown as Blob },
    { name: 'test-00000-of-00001.parquet', data: (await openAsBlob(testPath)) as unknown as Blob },
  ];
}

describe('parquet written by DuckDB', () => {
  it.each(DUCKDB_CODECS)('reads %s pages (img struct, BIGINT label) from disk-backed Blobs', async (codec) => {
    const data = await readCifarFiles(await pair(codec, { codec }));
    expectSetEquals(data.train, train);
    expectSetEquals(data.test, test);
  });

  it('gives byte-identical pixels and labels to the binary batches (ZSTD pair)', async () => {
    const parquet = await readCifarFiles(await pair('same', { codec: 'zstd' }));
    const binary = await readCifarFiles(writeBinaryFiles(train, test, PER_BATCH), { recordsPerBatch: PER_BATCH });
    for (const split of ['train', 'test'] as const) {
      expect(parquet[split].count).toBe(binary[split].count);
      expect(Buffer.compare(parquet[split].images, binary[split].images)).toBe(0);
      expect(Array.from(parquet[split].labels)).toEqual(Array.from(binary[split].labels));
    }
  });

  it('honours limit', async () => {
    const data = await readCifarFiles(await pair('limit', { codec: 'snappy' }), { limit: 4 });
    expectSetEquals(data.train, train, 0, 4);
    expectSetEquals(data.test, test, 0, 3);
  });

  it('names the row of a null image', async () => {
    const files = await pair('null', { codec: 'zstd' }, { codec: 'zstd', nullImageRows: [6] });
    await expectFormatError(() => readCifarFiles(files), 'train-00000-of-00001.parquet', /row 6: image \(img\.bytes\) is null/);
  });

  it('refuses a corrupt ZSTD page, naming the file, row group and column', async () => {
    const path = await write('corrupt-train.parquet', train, { codec: 'zstd' });
    const bytes = new Uint8Array(await readFile(path));
    // Garble the first zstd frame (the img.bytes page) just after its magic and frame header.
    const frame = bytes.findIndex((b, i) => b === 0x28 && bytes[i + 1] === 0xb5 && bytes[i + 2] === 0x2f && bytes[i + 3] === 0xfd);
    expect(frame).toBeGreaterThan(4);
    bytes.fill(0xff, frame + 6, frame + 14);
    const [, te] = await pair('corrupt', { codec: 'zstd' });
    await expectFormatError(
      () => readCifarFiles([{ name: 'train-00000-of-00001.parquet', data: bytes }, te]),
      'train-00000-of-00001.parquet',
      /row group 0, column img\.bytes: corrupt ZSTD page at byte 0 of the chunk \(/,
    );
    // A frame whose declared content size disagrees with the page header is refused before fzstd
    // allocates for it.
    const sized = new Uint8Array(await readFile(path));
    const descriptor = sized[frame + 4];
    expect(descriptor >> 6, 'the frame declares its size').toBeGreaterThan(0);
    sized[frame + 5 + ((descriptor >> 5) & 1 ? 0 : 1) + [0, 1, 2, 4][descriptor & 3]] ^= 0x01;
    await expectFormatError(
      () => readCifarFiles([{ name: 'train-00000-of-00001.parquet', data: sized }, te]),
      'train-00000-of-00001.parquet',
      /row group 0, column img\.bytes: corrupt ZSTD page at byte 0 of the chunk \(zstd frame says \d+ bytes, page header says \d+\)/,
    );
  });
});
