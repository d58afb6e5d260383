import { describe, expect, it } from 'vitest';
import { readCifarFiles, readCifarParquet, type CifarFile } from '../../../../src/lib/data/formats';
import { expectFormatError, expectSetEquals } from '../../../fixtures/assert';
import { chunkedStream, imageAt, makeImages, type Images } from '../../../fixtures/images';
import { writeHfParquet, type ParquetFixtureOptions } from '../../../fixtures/parquet-writer';
import { encodePng } from '../../../fixtures/png-writer';

const train = makeImages(12, 31);
const test = makeImages(5, 32);
const TRAIN = 'plain_text/train-00000-of-00001.parquet';
const TEST = 'plain_text/test-00000-of-00001.parquet';

const pngCache = new Map<Images, Uint8Array[]>();
async function pngs(images: Images): Promise<Uint8Array[]> {
  if (!pngCache.has(images)) {
    // Filters vary per image so every filter type is met on the way through the parquet reader too.
    const list = await Promise.all(Array.from({ length: images.count }, (_, n) => encodePng(imageAt(images, n), { filters: [n % 5, (n + 2) % 5, 4] })));
    pngCache.set(images, list);
  }
  return pngCache.get(images)!;
}

async function files(options: ParquetFixtureOptions = {}, testOptions = options): Promise<CifarFile[]> {
  return [
    { name: TRAIN, data: await writeHfParquet(await pngs(train), Array.from(train.labels), options) },
    { name: TEST, data: await writeHfParquet(await pngs(test), Array.from(test.labels), testOptions) },
  ];
}

async function roundTrip(options: ParquetFixtureOptions): Promise<void> {
  const data = await readCifarFiles(await files(options));
  expectSetEquals(data.train, train);
  expectSetEquals(data.test, test);
}

describe('Hugging Face parquet', () => {
  it('round-trips the datasets layout: snappy, page V1, dictionary labels, two row groups', async () => {
    await roundTrip({});
    const data = await readCifarFiles(await files());
    // NHWC check on a pixel whose channels differ.
    const p = (5 * 32 + 7) * 3;
    const rgb = Array.from(data.train.images.subarray(p, p + 3));
    expect(new Set(rgb).size).toBe(3);
    expect(rgb).toEqual(Array.from(train.nhwc.subarray(p, p + 3)));
  });

  it('reads a dictionary page, RLE_DICTIONARY pages and PLAIN fallback pages in one chunk', async () => {
    await roundTrip({ imagePages: 'dict-then-plain', rowGroups: [5, 4, 3] });
  });

  it('reads data page V2, GZIP, UNCOMPRESSED, INT32 labels and PLAIN_DICTIONARY', async () => {
    await roundTrip({ pageVersion: 2, imagePages: 'dict-then-plain' });
    await roundTrip({ codec: 'gzip', labelType: 'int32' });
    await roundTrip({ codec: 'uncompressed', labelEncoding: 2, pageVersion: 2, rowGroups: [1, 1, 10] });
  });

  it('reads Blobs and streams, an `image` column, and honours limit', async () => {
    const [tr, te] = await files({ imageColumn: 'image' });
    const data = await readCifarParquet([
      { name: tr.name, data: new Blob([tr.data as BlobPart]) },
      { name: te.name, data: chunkedStream(te.data as Uint8Array, 300) },
    ]);
    expectSetEquals(data.train, train);
    expectSetEquals(data.test, test);
    const limited = await readCifarFiles(await files({ rowGroups: [2, 2, 2, 6] }), { limit: 3 });
    expectSetEquals(limited.train, train, 0, 3);
    expectSetEquals(limited.test, test, 0, 3);
  });

  it('with a limit, fetches only the row groups it needs, slice by slice', async () => {
    /** A Blob that records the byte ranges read from it. */
    class RecordingBlob extends Blob {
      readonly ranges: [number, number][] = [];
      override slice(start?: number, end?: number, type?: string): Blob {
        this.ranges.push([start ?? 0, end ?? this.size]);
        return super.slice(start, end, type);
      }
    }
    // Dictionary-encoded image pages: the fixture writes no PNG statistics into the footer then.
    const [tr, te] = await files({ rowGroups: [2, 2, 2, 6], imagePages: 'dict-then-plain' });
    const blobs = [new RecordingBlob([tr.data as BlobPart]), new RecordingBlob([te.data as BlobPart])];
    const data = await readCifarFiles([{ name: TRAIN, data: blobs[0] }, { name: TEST, data: blobs[1] }], { limit: 3 });
    expectSetEquals(data.train, train, 0, 3);
    // No whole-file read: every fetch is the footer or one column chunk.
    for (const blob of blobs) expect(blob.ranges.filter(([a, b]) => b - a >= blob.size / 2)).toEqual([]);
    // Train: the footer and the chunks of row groups 0 and 1 (4 of 12 images); the 6-image group,
    // about half the file, is never fetched.
    const fetched = blobs[0].ranges.reduce((n, [a, b]) => n + (b - a), 0);
    expect(fetched).toBeLessThan(blobs[0].size * 0.5);
  });

  it('reports decoded images as progress', async () => {
    const seen: number[] = [];
    await readCifarFiles(await files(), (p) => seen.push(p.images));
    expect(seen[seen.length - 1]).toBe(17);
  });

  it('rejects a file without the parquet magic', async () => {
    const [tr, te] = await files();
    await expectFormatError(() => readCifarFiles([{ name: tr.name, data: new Uint8Array(100) }, te]), TRAIN, /not a parquet file/);
  });

  it('rejects a truncated file', async () => {
    const [tr, te] = await files();
    const bytes = tr.data as Uint8Array;
    await expectFormatError(() => readCifarFiles([tr, { name: te.name, data: (te.data as Uint8Array).subarray(0, 4000) }]), TEST, /truncated/);
    // Footer intact but the first page header (at byte 4) overwritten.
    const broken = bytes.slice();
    broken.fill(0xff, 4, 40);
    await expectFormatError(() => readCifarFiles([{ name: TRAIN, data: broken }, te]), TRAIN, /row group 0, column img\.bytes: corrupt or truncated page header/);
  });

  it('names missing columns, unsupported codecs and unknown splits', async () => {
    const [, te] = await files();
    const wrong = await writeHfParquet(await pngs(train), Array.from(train.labels), { imageColumn: 'picture' });
    await expectFormatError(() => readCifarFiles([{ name: TRAIN, data: wrong }, te]), TRAIN, /no image column img\.bytes or image\.bytes \(columns: picture\.bytes, picture\.path, label\)/);
    const lzo = await writeHfParquet(await pngs(train), Array.from(train.labels), { codec: 'lzo' });
    await expectFormatError(() => readCifarFiles([{ name: TRAIN, data: lzo }, te]), TRAIN, /uses LZO compression, which is not supported/);
    await expectFormatError(() => readCifarFiles([{ name: 'cifar.parquet', data: wrong }, te]), 'cifar.parquet', /cannot tell the split/);
    await expectFormatError(() => readCifarFiles([te]), 'train-*.parquet', /missing/);
  });

  it("rethrows a codec's error naming the file, row group and column", async () => {
    // Pages stored uncompressed but labelled ZSTD: the zstd decoder meets no zstd frame.
    const [, te] = await files();
    const zstd = await writeHfParquet(await pngs(train), Array.from(train.labels), { codec: 'zstd' });
    await expectFormatError(() => readCifarFiles([{ name: TRAIN, data: zstd }, te]), TRAIN, /row group 0, column label: corrupt ZSTD page at byte 0 of the chunk \(invalid zstd data\)/);
  });

  it('checks page CRCs where the writer stored them', async () => {
    await roundTrip({ pageCrc: true });
    await roundTrip({ pageCrc: true, pageVersion: 2, imagePages: 'dict-then-plain' });
    const [tr, te] = await files({ pageCrc: true, codec: 'uncompressed' });
    const bytes = (tr.data as Uint8Array).slice();
    // Flip one bit of the first PNG's IHDR chunk, in the first img.bytes page: the page CRC is
    // checked before the page is decoded, so it is what refuses the file.
    const png = (await pngs(train))[0];
    const at = indexOf(bytes, png.subarray(0, 24));
    expect(at).toBeGreaterThan(0);
    bytes[at + 20] ^= 0x01;
    await expectFormatError(() => readCifarFiles([{ name: TRAIN, data: bytes }, te]), TRAIN, /row group 0, column img\.bytes: page at byte \d+ fails its CRC-32 check \(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\)/);
  });

  it('rejects label 10 and a null image, naming the file and row', async () => {
    const labels = Array.from(train.labels);
    labels[8] = 10;
    const [, te] = await files();
    const bad = await writeHfParquet(await pngs(train), labels);
    const err = await expectFormatError(() => readCifarFiles([{ name: TRAIN, data: bad }, te]), TRAIN, /row 8: label 10 is out of range/);
    expect(err.record).toBe(8);
    const nullImage = await writeHfParquet(await pngs(train), Array.from(train.labels), { nullImageRows: [7] });
    await expectFormatError(() => readCifarFiles([{ name: TRAIN, data: nullImage }, te]), TRAIN, /row 7: image \(img\.bytes\) is null/);
  });

  it('rejects a PNG that is not 32x32, naming the file and row', async () => {
    const list = [...(await pngs(test))];
    list[3] = await encodePng(new Uint8Array(31 * 32 * 3), { width: 31 });
    const [tr] = await files();
    const bad = await writeHfParquet(list, Array.from(test.labels));
    await expectFormatError(() => readCifarFiles([tr, { name: TEST, data: bad }]), TEST, /row 3: PNG is 31x32, expected 32x32/);
  });
});

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
