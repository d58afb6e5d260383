import { describe, expect, it } from 'vitest';
import { snappyUncompress } from '../../../../src/lib/data/formats';
import { rng } from '../../../fixtures/images';
import { snappyCompress } from '../../../fixtures/snappy-writer';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('snappy', () => {
  it('decodes hand-built literals and overlapping copies of every tag kind', () => {
    // "ab" then a 1-byte-offset copy (offset 2, length 6) that overlaps itself: "abababab".
    expect(snappyUncompress(new Uint8Array([8, 0x04, 0x61, 0x62, 0x01 | (2 << 2), 0x02]))).toEqual(bytes('abababab'));
    // "x" then a 2-byte-offset copy, offset 1, length 9: a run of ten x.
    expect(snappyUncompress(new Uint8Array([10, 0x00, 0x78, 0x02 | (8 << 2), 0x01, 0x00]))).toEqual(bytes('xxxxxxxxxx'));
    // "abc" then a 4-byte-offset copy (offset 3, length 5).
    expect(snappyUncompress(new Uint8Array([8, 0x08, 0x61, 0x62, 0x63, 0x03 | (4 << 2), 3, 0, 0, 0]))).toEqual(bytes('abcabcab'));
    // A long literal whose length is in one extra byte (tag 60): 70 bytes.
    const lit = new Uint8Array(70).map((_, i) => i);
    expect(snappyUncompress(new Uint8Array([70, 60 << 2, 69, ...lit]))).toEqual(lit);
    // A copy of length 1 right after a literal, offset 1 (the minimal overlap).
    expect(snappyUncompress(new Uint8Array([3, 0x04, 0x41, 0x42, 0x02, 0x01, 0x00]))).toEqual(bytes('ABB'));
  });

  it('round-trips the fixture compressor, with and without copies', () => {
    const next = rng(5);
    const data = new Uint8Array(30_000).map((_, i) => (i % 1000 < 500 ? i % 7 : next() & 255));
    expect(snappyUncompress(snappyCompress(data))).toEqual(data);
    expect(snappyUncompress(snappyCompress(data, { literalsOnly: true }))).toEqual(data);
    expect(snappyCompress(data).length).toBeLessThan(data.length * 0.7);
  });

  it('rejects bad offsets, truncation and length mismatches', () => {
    expect(() => snappyUncompress(new Uint8Array([4, 0x01 | (0 << 2), 0x05]))).toThrow(/offset 5 outside the 0 bytes/);
    expect(() => snappyUncompress(new Uint8Array([8, 0x04, 0x61, 0x62]))).toThrow(/input ended after 2 of 8 bytes/);
    expect(() => snappyUncompress(new Uint8Array([8, 0x1c, 0x61]))).toThrow(/literal runs past the end/);
    expect(() => snappyUncompress(new Uint8Array([2, 0x04, 0x61, 0x62]), 3)).toThrow(/block says 2 bytes, page header says 3/);
    expect(() => snappyUncompress(new Uint8Array([1, 0x04, 0x61, 0x62]))).toThrow(/longer than declared/);
  });
});
