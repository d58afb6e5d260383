import { describe, expect, it } from 'vitest';
import { decodeBinaryBatch, readCifarFiles, type CifarFile } from '../../../../src/lib/data/formats';
import { writeBinaryBatch, writeBinaryFiles } from '../../../fixtures/binary-writer';
import { expectFormatError, expectSetEquals } from '../../../fixtures/assert';
import { chunkedStream, makeImages } from '../../../fixtures/images';

const PER_BATCH = 4;
const train = makeImages(5 * PER_BATCH, 1);
const test = makeImages(PER_BATCH, 2);

function files(): { name: string; data: Uint8Array }[] {
  return writeBinaryFiles(train, test, PER_BATCH);
}

describe('binary batches', () => {
  it('converts planar records to NHWC (a pixel with distinct R, G, B)', () => {
    const batch = writeBinaryBatch(train, 0, 2);
    // Pixel (row 1, col 2) of image 1: its R, G and B planes' bytes must end up adjacent.
    const p = 1 * 32 + 2;
    const rec = 3073;
    const [r, g, b] = [batch[rec + 1 + p], batch[rec + 1 + 1024 + p], batch[rec + 1 + 2048 + p]];
    expect(new Set([r, g, b]).size).toBe(3);
    const set = decodeBinaryBatch('x.bin', batch);
    expect(Array.from(set.images.subarray(3072 + p * 3, 3072 + p * 3 + 3))).toEqual([r, g, b]);
    expectSetEquals(set, train, 0, 2);
  });

  it('reads the six files in any order, train in batch order', async () => {
    const shuffled = files().reverse();
    const data = await readCifarFiles(shuffled, { recordsPerBatch: PER_BATCH });
    expectSetEquals(data.train, train);
    expectSetEquals(data.test, test);
  });

  it('reads streams (uneven chunks, unknown size), Blobs and paths in names', async () => {
    const input = files().map((f, i) => ({
      name: `cifar-10-batches-bin/${f.name}`,
      data: i % 2 === 0 ? chunkedStream(f.data, 1000) : new Blob([f.data as BlobPart]),
    }));
    const data = await readCifarFiles(input, { recordsPerBatch: PER_BATCH });
    expectSetEquals(data.train, train);
    expectSetEquals(data.test, test);
  });

  it('ignores batches.meta.txt and readme.html, reports progress', async () => {
    const input: CifarFile[] = [...files(), { name: 'batches.meta.txt', data: new Uint8Array(3) }, { name: 'readme.html', data: new Uint8Array(1) }];
    const seen: number[] = [];
    const data = await readCifarFiles(input, { recordsPerBatch: PER_BATCH, onProgress: (p) => seen.push(p.images) });
    expect(data.train.count).toBe(20);
    expect(seen[seen.length - 1]).toBe(24);
  });

  it('limit keeps the first N training images and at most N test images', async () => {
    const data = await readCifarFiles(files(), { recordsPerBatch: PER_BATCH, limit: 6 });
    expectSetEquals(data.train, train, 0, 6);
    expectSetEquals(data.test, test, 0, 4);
    const blobs = files().map((f) => ({ name: f.name, data: new Blob([f.data as BlobPart]) }));
    const small = await readCifarFiles(blobs, { recordsPerBatch: PER_BATCH, limit: 1 });
    expectSetEquals(small.train, train, 0, 1);
    expectSetEquals(small.test, test, 0, 1);
  });

  it('by default requires the official 10,000 records per batch', async () => {
    await expectFormatError(() => readCifarFiles(files()), 'data_batch_1.bin', /holds 4 records .* a CIFAR-10 batch file holds 10,000/);
  });

  it('rejects a size that is not a whole number of records, naming the file', async () => {
    const input = files();
    input[2] = { name: input[2].name, data: input[2].data.subarray(0, input[2].data.length - 1) };
    await expectFormatError(() => readCifarFiles(input, { recordsPerBatch: PER_BATCH }), 'data_batch_3.bin', /12,291 bytes is not a whole number of 3,073-byte records/);
    await expectFormatError(() => decodeBinaryBatch('odd.bin', new Uint8Array(3074)), 'odd.bin', /not a whole number/);
  });

  it('rejects label 10, naming the file and the record', async () => {
    const input = files();
    input[5].data[2 * 3073] = 10;
    const err = await expectFormatError(() => readCifarFiles(input, { recordsPerBatch: PER_BATCH }), 'test_batch.bin', /record 2: label 10 is out of range/);
    expect(err.record).toBe(2);
  });

  it('rejects a truncated stream of unknown size', async () => {
    const input = files().map((f) => ({ name: f.name, data: f.name === 'data_batch_4.bin' ? chunkedStream(f.data.subarray(0, 3 * 3073 + 100)) : f.data }));
    await expectFormatError(() => readCifarFiles(input, { recordsPerBatch: PER_BATCH }), 'data_batch_4.bin', /not a whole number of 3,073-byte records|truncated/);
    const whole = files().map((f) => ({ name: f.name, data: f.name === 'data_batch_4.bin' ? chunkedStream(f.data.subarray(0, 3 * 3073)) : f.data }));
    await expectFormatError(() => readCifarFiles(whole, { recordsPerBatch: PER_BATCH }), 'data_batch_4.bin', /holds 3 records .*truncated/);
  });

  it('names the missing and the duplicated batch', async () => {
    const input = files().filter((f) => f.name !== 'data_batch_2.bin');
    await expectFormatError(() => readCifarFiles(input, { recordsPerBatch: PER_BATCH }), 'data_batch_2.bin', /missing/);
    const twice = [...files(), { name: 'copy/data_batch_5.bin', data: new Uint8Array(0) }];
    await expectFormatError(() => readCifarFiles(twice, { recordsPerBatch: PER_BATCH }), 'copy/data_batch_5.bin', /given twice/);
  });
});
