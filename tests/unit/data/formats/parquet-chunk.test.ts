import type { SchemaTree } from 'hyparquet';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PageError, decodeColumnChunk, type LeafColumn } from '../../../../src/lib/data/formats/parquet-chunk';
import { concatBytes } from '../../../fixtures/images';
import { snappyCompress } from '../../../fixtures/snappy-writer';
import { encodeStruct, type Field } from '../../../fixtures/thrift-writer';

/** An optional INT64 column `label` at the top of the schema (max definition level 1). */
function labelColumn(): LeafColumn {
  const leaf: SchemaTree = { children: [], count: 1, path: ['label'], element: { name: 'label', type: 'INT64', repetition_type: 'OPTIONAL' } };
  const root: SchemaTree = { children: [leaf], count: 2, path: [], element: { name: 'schema', num_children: 1 } };
  return { path: 'label', element: leaf.element, schemaPath: [root, leaf], maxDef: 1, maxRep: 0 };
}

function u32le(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}

function varint(n: number): number[] {
  const out: number[] = [];
  do {
    const b = n % 128;
    n = Math.floor(n / 128);
    out.push(n > 0 ? b | 0x80 : b);
  } while (n > 0);
  return out;
}

/** One uncompressed data page V1: definition levels (length-prefixed hybrid block), then values. */
function dataPage(numValues: number, levels: number[], values: Uint8Array, encoding = 0, extra: Field[] = []): Uint8Array {
  const body = concatBytes([u32le(levels.length), new Uint8Array(levels), values]);
  const header = encodeStruct([
    [1, 'i32', 0],
    [2, 'i32', body.length],
    [3, 'i32', body.length],
    ...extra,
    [5, 'struct', [[1, 'i32', numValues], [2, 'i32', encoding], [3, 'i32', 3], [4, 'i32', 3]] as Field[]],
  ]);
  return concatBytes([header, body]);
}

function int64s(values: number[]): Uint8Array {
  const b = new Uint8Array(values.length * 8);
  values.forEach((v, i) => new DataView(b.buffer).setBigInt64(i * 8, BigInt(v), true));
  return b;
}

describe('parquet column chunks through hyparquet', () => {
  it('decodes a PLAIN page with nulls', () => {
    // Four rows, the third null: levels 1,1,0,1 as an RLE run, an RLE run and an RLE run.
    const page = dataPage(4, [...varint(2 << 1), 1, ...varint(1 << 1), 0, ...varint(1 << 1), 1], int64s([3, 9, 4]));
    expect(decodeColumnChunk(page, labelColumn(), 'UNCOMPRESSED', 4)).toEqual([3n, 9n, undefined, 4n]);
  });

  it('refuses a definition-level run longer than the page before hyparquet fills an array by it', () => {
    // A run of 2^30 values in a 4-value page: hyparquet's decoder would write (and grow its
    // array) a billion times before noticing.
    const page = dataPage(4, [...varint(2 ** 30 * 2), 1], int64s([1, 2, 3, 4]));
    expect(() => decodeColumnChunk(page, labelColumn(), 'UNCOMPRESSED', 4)).toThrow(/corrupt definition levels \(a run of 1,073,741,824 values where 4 are left\)/);
  });

  it('refuses a dictionary-index run longer than the page', () => {
    const dictionary = encodeStruct([
      [1, 'i32', 2],
      [2, 'i32', 16],
      [3, 'i32', 16],
      [7, 'struct', [[1, 'i32', 2], [2, 'i32', 0]] as Field[]],
    ]);
    const indices = new Uint8Array([1, ...varint(2 ** 29 * 2), 1]);
    const chunk = concatBytes([dictionary, int64s([5, 7]), dataPage(4, [...varint(4 << 1), 1], indices, 8)]);
    expect(() => decodeColumnChunk(chunk, labelColumn(), 'UNCOMPRESSED', 4)).toThrow(/corrupt dictionary indices \(a run of 536,870,912 values where 4 are left\)/);
    // The same chunk with a run of the right length decodes through the dictionary.
    const good = concatBytes([dictionary, int64s([5, 7]), dataPage(4, [...varint(4 << 1), 1], new Uint8Array([1, ...varint(4 << 1), 1]), 8)]);
    expect(decodeColumnChunk(good, labelColumn(), 'UNCOMPRESSED', 4)).toEqual([7n, 7n, 7n, 7n]);
  });

  it('checks a stored page CRC and refuses an absurd uncompressed size', () => {
    const levels = [...varint(2 << 1), 1];
    const values = int64s([1, 2]);
    const body = concatBytes([u32le(levels.length), new Uint8Array(levels), values]);
    const crc = crc32(body) | 0;
    expect(decodeColumnChunk(dataPage(2, levels, values, 0, [[4, 'i32', crc]]), labelColumn(), 'UNCOMPRESSED', 2)).toEqual([1n, 2n]);
    expect(() => decodeColumnChunk(dataPage(2, levels, values, 0, [[4, 'i32', crc ^ 1]]), labelColumn(), 'UNCOMPRESSED', 2)).toThrow(PageError);
    expect(() => decodeColumnChunk(dataPage(2, levels, values, 0, [[4, 'i32', crc ^ 1]]), labelColumn(), 'UNCOMPRESSED', 2)).toThrow(/fails its CRC-32 check/);
    const huge = encodeStruct([
      [1, 'i32', 0],
      [2, 'i32', 2 ** 31 - 1],
      [3, 'i32', 1],
      [5, 'struct', [[1, 'i32', 1], [2, 'i32', 0], [3, 'i32', 3], [4, 'i32', 3]] as Field[]],
    ]);
    expect(() => decodeColumnChunk(concatBytes([huge, new Uint8Array(1)]), labelColumn(), 'SNAPPY', 1)).toThrow(/declares 2147483647 bytes uncompressed; corrupt header/);
  });

  it('decodes SNAPPY pages and refuses a block whose length disagrees with the page header', () => {
    const levels = [...varint(3 << 1), 1];
    const raw = concatBytes([u32le(levels.length), new Uint8Array(levels), int64s([4, 5, 6])]);
    const page = (body: Uint8Array) =>
      concatBytes([
        encodeStruct([
          [1, 'i32', 0],
          [2, 'i32', raw.length],
          [3, 'i32', body.length],
          [5, 'struct', [[1, 'i32', 3], [2, 'i32', 0], [3, 'i32', 3], [4, 'i32', 3]] as Field[]],
        ]),
        body,
      ]);
    const block = snappyCompress(raw);
    expect(decodeColumnChunk(page(block), labelColumn(), 'SNAPPY', 3)).toEqual([4n, 5n, 6n]);
    // The WebAssembly decoder would fill only the declared bytes and return the rest of its
    // buffer as it was, so a shorter declared length must be refused before it runs.
    expect(block[0]).toBe(raw.length);
    const short = block.slice();
    short[0] = raw.length - 1;
    expect(() => decodeColumnChunk(page(short), labelColumn(), 'SNAPPY', 3)).toThrow(new RegExp(`snappy block says ${raw.length - 1} bytes, page header says ${raw.length}`));
  });
});
