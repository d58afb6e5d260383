import { describe, expect, it } from 'vitest';
import { layoutOf, readCifarFiles } from '../../../../src/lib/data/formats';
import { expectFormatError } from '../../../fixtures/assert';

describe('readCifarFiles layout sniffing', () => {
  it('tells the layout from the file name', () => {
    expect(layoutOf('cifar-10-batches-bin/data_batch_1.bin')).toBe('binary');
    expect(layoutOf('C:\\data\\test_batch.bin')).toBe('binary');
    expect(layoutOf('cifar-10-binary.tar.gz')).toBe('tar.gz');
    expect(layoutOf('plain_text/test-00000-of-00001.parquet')).toBe('parquet');
    expect(layoutOf('batches.meta.txt')).toBeNull();
    expect(() => layoutOf('data_batch_6.bin')).toThrow(/data_batch_6\.bin: not a CIFAR-10 file/);
  });

  it('rejects mixed layouts, two archives, and nothing at all', async () => {
    const empty = new Uint8Array(0);
    await expectFormatError(() => readCifarFiles([{ name: 'test_batch.bin', data: empty }, { name: 'a.tar.gz', data: empty }]), 'a.tar.gz', /different layouts/);
    await expectFormatError(() => readCifarFiles([{ name: 'a.tar.gz', data: empty }, { name: 'b.tgz', data: empty }]), 'b.tgz', /more than one archive/);
    await expectFormatError(() => readCifarFiles([{ name: 'batches.meta.txt', data: empty }]), 'batches.meta.txt', /no CIFAR-10 data files/);
    await expect(readCifarFiles([{ name: 'a.tar.gz', data: empty }], { limit: -1 })).rejects.toThrow(RangeError);
  });
});

describe('limit 0', () => {
  it('gives empty sets for every layout', async () => {
    for (const name of ['x.tar.gz', 'test_batch.bin']) {
      const files = name.endsWith('.bin')
        ? ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'].map((n) => ({ name: n, data: new Uint8Array(3073) }))
        : [{ name, data: new Uint8Array(0) }];
      const data = await readCifarFiles(files, { limit: 0, recordsPerBatch: 1 });
      expect([data.train.count, data.test.count]).toEqual([0, 0]);
    }
  });
});
