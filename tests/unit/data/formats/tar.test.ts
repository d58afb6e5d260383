import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readCifarFiles, readCifarTarGz, readCifarTarGzBatches } from '../../../../src/lib/data/formats';
import { writeBinaryFiles } from '../../../fixtures/binary-writer';
import { expectFormatError, expectSetEquals } from '../../../fixtures/assert';
import { chunkedStream, compress, concatBytes, makeImages } from '../../../fixtures/images';
import { writeTar, writeTarGz, type TarInput } from '../../../fixtures/tar-writer';

const PER_BATCH = 3;
const train = makeImages(5 * PER_BATCH, 11);
const test = makeImages(PER_BATCH, 12);
const DIR = 'cifar-10-batches-bin/';
const NAME = 'cifar-10-binary.tar.gz';

/** The official archive's order is not numeric; mimic that so order independence is tested. */
function entries(): TarInput[] {
  const batches = new Map(writeBinaryFiles(train, test, PER_BATCH).map((f) => [f.name, f.data]));
  const order = ['data_batch_1.bin', 'batches.meta.txt', 'data_batch_3.bin', 'data_batch_4.bin', 'test_batch.bin', 'readme.html', 'data_batch_2.bin', 'data_batch_5.bin'];
  const list: TarInput[] = [{ name: DIR, data: new Uint8Array(0), type: '5' }];
  for (const name of order) {
    const data = batches.get(name) ?? new TextEncoder().encode(name === 'readme.html' ? '<html></html>' : 'airplane\nautomobile\n');
    list.push({ name: DIR + name, data });
  }
  return list;
}

const opts = { recordsPerBatch: PER_BATCH };

describe('cifar-10-binary.tar.gz', () => {
  it('round-trips through gzip + tar, streamed in uneven chunks', async () => {
    const gz = await writeTarGz(entries());
    const data = await readCifarFiles([{ name: NAME, data: chunkedStream(gz, 777) }], opts);
    expectSetEquals(data.train, train);
    expectSetEquals(data.test, test);
  });

  it('yields batches as they complete, in archive order', async () => {
    const gz = await writeTarGz(entries());
    const seen: string[] = [];
    for await (const batch of readCifarTarGzBatches({ name: NAME, data: gz }, opts)) {
      seen.push(batch.entry);
      if (batch.role.split === 'train') expectSetEquals(batch.set, train, (batch.role.index - 1) * PER_BATCH, PER_BATCH);
    }
    expect(seen).toEqual(['data_batch_1.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'test_batch.bin', 'data_batch_2.bin', 'data_batch_5.bin'].map((n) => DIR + n));
  });

  it('reads pax and GNU long names, and a Blob input', async () => {
    const long = 'x'.repeat(120) + '/';
    const list = entries().map((e, i) => ({ ...e, name: long + e.name, longName: i % 2 === 0 ? ('pax' as const) : ('gnu' as const) }));
    const gz = await writeTarGz(list, { endBlocks: 1 });
    const data = await readCifarTarGz({ name: NAME, data: new Blob([gz as BlobPart]) }, opts);
    expectSetEquals(data.train, train);
    expectSetEquals(data.test, test);
  });

  it('limit stops once the needed batches are read', async () => {
    const gz = await writeTarGz(entries());
    const data = await readCifarTarGz({ name: NAME, data: gz }, { ...opts, limit: 2 });
    expectSetEquals(data.train, train, 0, 2);
    expectSetEquals(data.test, test, 0, 2);
  });

  it('rejects a file that is not gzip', async () => {
    await expectFormatError(() => readCifarTarGz({ name: NAME, data: writeTar(entries()) }, opts), NAME, /not a gzip file \(starts with 63 69/);
  });

  it('rejects truncated gzip data', async () => {
    const gz = await writeTarGz(entries());
    await expectFormatError(() => readCifarTarGz({ name: NAME, data: gz.subarray(0, gz.length - 200) }, opts), NAME, /gzip data is truncated or corrupt/);
  });

  it('rejects a truncated tar inside valid gzip, naming the entry', async () => {
    const tar = writeTar(entries());
    const cut = 512 * 2 + 1512; // directory header, data_batch_1.bin header, then part of its data
    const gz = await compress(tar.subarray(0, cut), 'gzip');
    await expectFormatError(() => readCifarTarGz({ name: NAME, data: gz }, opts), NAME, /truncated: entry cifar-10-batches-bin\/data_batch_1\.bin ends after 1,512 of 9,219 bytes/);
    const inHeader = await compress(tar.subarray(0, 512 + 100), 'gzip');
    await expectFormatError(() => readCifarTarGz({ name: NAME, data: inHeader }, opts), NAME, /truncated inside a header/);
  });

  it('rejects a corrupt tar header', async () => {
    const tar = writeTar(entries());
    tar[512 + 5] ^= 0xff;
    const gz = await compress(tar, 'gzip');
    await expectFormatError(() => readCifarTarGz({ name: NAME, data: gz }, opts), NAME, /corrupt tar header at byte 512 \(checksum mismatch\)/);
  });

  it('names missing batch entries', async () => {
    const gz = await writeTarGz(entries().filter((e) => !e.name.endsWith('test_batch.bin') && !e.name.endsWith('_2.bin')));
    await expectFormatError(() => readCifarTarGz({ name: NAME, data: gz }, opts), NAME, /lacks cifar-10-batches-bin\/data_batch_2\.bin, cifar-10-batches-bin\/test_batch\.bin/);
  });

  it('names the archive and entry for a bad record or entry size', async () => {
    const list = entries();
    const entry = list.find((e) => e.name.endsWith('data_batch_4.bin'))!;
    entry.data[3073] = 10;
    const err = await expectFormatError(() => readCifarTarGz({ name: NAME, data: writeTarGzSync(list) }, opts), `${NAME}, entry ${DIR}data_batch_4.bin`, /record 1: label 10 is out of range/);
    expect(err.record).toBe(1);
    await expectFormatError(() => readCifarTarGz({ name: NAME, data: writeTarGzSync(entries()) }), `${NAME}, entry ${DIR}data_batch_1.bin`, /holds 3 records/);
  });
});

/** Like the official archive: GNU tar pads to 10,240-byte records, so zeros follow the end blocks. */
async function officialLike(): Promise<{ tar: Uint8Array; gz: Uint8Array; dataEnd: number }> {
  const list = entries();
  const tar = writeTar(list, { recordSize: 10240 });
  // Where the last entry's padded data ends and the end-of-archive zeros begin.
  const dataEnd = list.reduce((at, e) => at + 512 + Math.ceil(e.data.length / 512) * 512, 0);
  return { tar, gz: await compress(tar, 'gzip'), dataEnd };
}

function insert(bytes: Uint8Array, at: number, extra: number[]): Uint8Array {
  return concatBytes([bytes.subarray(0, at), new Uint8Array(extra), bytes.subarray(at)]);
}

describe('cifar-10-binary.tar.gz checks that need the whole archive', () => {
  it('reads the intact official-like archive, with and without a limit', async () => {
    const { gz } = await officialLike();
    const data = await readCifarTarGz({ name: NAME, data: gz }, opts);
    expect(data.verified).toBe(true);
    expectSetEquals(data.train, train);
    const limited = await readCifarTarGz({ name: NAME, data: gz }, { ...opts, limit: 1 });
    expect(limited.verified).toBe(true);
    expectSetEquals(limited.test, test, 0, 1);
  });

  it('refuses copies with bytes inserted near the end, also when a limit is met long before', async () => {
    const { gz } = await officialLike();
    for (const back of [4, 8, 12, 40]) {
      const bad = insert(gz, gz.length - back, [0x00, 0x55, 0xaa]);
      for (const options of [opts, { ...opts, limit: 1 }]) {
        await expectFormatError(() => readCifarTarGz({ name: NAME, data: bad }, options), NAME, /gzip|tar/);
      }
    }
  });

  it('refuses a copy cut inside its last tar padding, also when a limit is met long before', async () => {
    const { tar, gz, dataEnd } = await officialLike();
    const cut = gz.subarray(0, gz.length - 12);
    // The cut really ends the data inside the zeros after the last entry.
    const partial = gunzipSync(cut, { finishFlush: constants.Z_SYNC_FLUSH });
    expect(partial.length).toBeGreaterThan(dataEnd);
    expect(partial.length).toBeLessThan(tar.length);
    for (const options of [opts, { ...opts, limit: 1 }]) {
      await expectFormatError(() => readCifarTarGz({ name: NAME, data: cut }, options), NAME, /gzip data is truncated or corrupt/);
    }
  });

  it('refuses a gzip trailer whose CRC-32 or length does not match', async () => {
    const { gz } = await officialLike();
    const crc = gz.slice();
    crc[crc.length - 8] ^= 0x01;
    await expectFormatError(() => readCifarTarGz({ name: NAME, data: crc }, opts), NAME, /gzip CRC-32 \/ length check failed \(incorrect data check\)/);
    const length = gz.slice();
    length[length.length - 4] ^= 0x01;
    await expectFormatError(() => readCifarTarGz({ name: NAME, data: length }, opts), NAME, /gzip CRC-32 \/ length check failed \(incorrect length check\)/);
  });

  it('refuses data after the gzip member: zeros, other bytes, a second member', async () => {
    const { gz } = await officialLike();
    // Node ignores trailing zeros and inflates a second member as more data; the ISIZE check catches both.
    const notTheEnd = /the gzip stream does not end where the file ends/;
    await expectFormatError(() => readCifarTarGz({ name: NAME, data: concatBytes([gz, new Uint8Array(16)]) }, opts), NAME, notTheEnd);
    await expectFormatError(() => readCifarTarGz({ name: NAME, data: concatBytes([gz, gzipSync(new Uint8Array(1024))]) }, opts), NAME, notTheEnd);
    await expectFormatError(() => readCifarTarGz({ name: NAME, data: concatBytes([gz, new TextEncoder().encode('junk')]) }, opts), NAME, /gzip/);
  });

  it('refuses non-zero data after the end of the tar archive', async () => {
    const { tar } = await officialLike();
    const junk = tar.slice();
    junk[tar.length - 100] = 0x41;
    const gz = await compress(junk, 'gzip');
    await expectFormatError(() => readCifarTarGz({ name: NAME, data: gz }, opts), NAME, /non-zero data after the end of the tar archive \(at byte [\d,]+ of the tar stream\)/);
  });
});

function writeTarGzSync(list: TarInput[]): ReadableStream<Uint8Array> {
  return new Blob([writeTar(list) as BlobPart]).stream().pipeThrough(new CompressionStream('gzip'));
}
