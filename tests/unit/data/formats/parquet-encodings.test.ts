import { describe, expect, it } from 'vitest';
import { decodeHybrid } from '../../../../src/lib/data/formats/rle';
import { ThriftReader, field, type ThriftStruct } from '../../../../src/lib/data/formats/thrift';
import { encodeHybrid } from '../../../fixtures/parquet-writer';
import { encodeStruct } from '../../../fixtures/thrift-writer';

describe('RLE / bit-packed hybrid', () => {
  it('decodes the specification example (bit-packed, width 3)', () => {
    const out = new Int32Array(8);
    const end = decodeHybrid(new Uint8Array([0x03, 0x88, 0xc6, 0xfa]), 0, 4, 3, 8, out);
    expect(Array.from(out)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(end).toBe(4);
  });

  it('decodes mixed runs and stops at the requested count inside a padded group', () => {
    const values = [2, 2, 2, 2, 2, 0, 1, 2, 1, 0];
    const bytes = new Uint8Array([...encodeHybrid(values.slice(0, 5), 2, 'rle'), ...encodeHybrid(values.slice(5), 2, 'packed')]);
    const out = new Int32Array(10);
    decodeHybrid(bytes, 0, bytes.length, 2, 10, out);
    expect(Array.from(out)).toEqual(values);
    expect(() => decodeHybrid(bytes, 0, 2, 2, 10, new Int32Array(10))).toThrow(/RLE/);
  });
});

describe('thrift compact protocol', () => {
  it('skips unknown fields of every type and keeps the known ones', () => {
    const bytes = encodeStruct([
      [1, 'i32', -7],
      [2, 'bool', true],
      [3, 'bool', false],
      [4, 'struct', [[1, 'list', [[[1, 'str', 'deep']]], 'struct'], [2, 'double', 2.5]]],
      [5, 'list', Array.from({ length: 20 }, (_, i) => i * 1000), 'i64'],
      [6, 'list', [true, false, true], 'bool'],
      [40, 'map', [['k', 'v']]],
      [41, 'i64', 2 ** 40],
      [7, 'str', 'after a long-form id'],
    ]);
    const s = new ThriftReader(bytes).struct();
    expect(field.num(s, 1)).toBe(-7);
    expect(field.bool(s, 2)).toBe(true);
    expect(field.bool(s, 3)).toBe(false);
    expect(field.num(field.struct(s, 4)!, 2)).toBe(2.5);
    expect(field.str((field.list(field.struct(s, 4)!, 1)[0] as ThriftStruct), 1)).toBe('deep');
    expect(field.list(s, 5)[19]).toBe(19000);
    expect(field.list(s, 6)).toEqual([true, false, true]);
    expect(field.num(s, 41)).toBe(2 ** 40);
    expect(field.str(s, 7)).toBe('after a long-form id');
    expect(() => new ThriftReader(bytes.subarray(0, bytes.length - 3)).struct()).toThrow(/unexpected end/);
  });
});
