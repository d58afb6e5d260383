import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodePngInto } from '../../../../src/lib/data/formats';
import { zlibInflateInto } from '../../../../src/lib/data/formats/inflate';
import { compress, imageAt, makeImages, rng } from '../../../fixtures/images';
import { encodePng } from '../../../fixtures/png-writer';

const images = makeImages(6, 21);

function decode(png: Uint8Array): Uint8Array {
  const out = new Uint8Array(3072 + 10);
  decodePngInto(png, out, 10);
  return out.subarray(10);
}

describe('PNG decoder', () => {
  it('decodes RGB with each filter type alone and mixed', async () => {
    for (const filters of [[0], [1], [2], [3], [4], [4, 3, 2, 1, 0]]) {
      for (const n of [0, 1, 3]) {
        const png = await encodePng(imageAt(images, n), { filters });
        expect(decode(png), `filters ${filters} image ${n}`).toEqual(imageAt(images, n));
      }
    }
  });

  it('drops alpha from RGBA and reads several IDAT chunks', async () => {
    const png = await encodePng(imageAt(images, 3), { colorType: 6, idatChunks: 3 });
    expect(decode(png)).toEqual(imageAt(images, 3));
  });

  it('expands grey and palette images to RGB', async () => {
    const grey = imageAt(images, 0).map((_, i, a) => a[i - (i % 3)]);
    expect(decode(await encodePng(grey, { colorType: 0 }))).toEqual(grey);
    const few = imageAt(images, 1).map((v) => v & 0xc0);
    expect(decode(await encodePng(few, { colorType: 3 }))).toEqual(few);
  });

  it('rejects other sizes, bad signatures, truncation and interlacing', async () => {
    const small = await encodePng(new Uint8Array(16 * 16 * 3), { width: 16, height: 16 });
    expect(() => decode(small)).toThrow('PNG is 16x16, expected 32x32');
    const good = await encodePng(imageAt(images, 2));
    expect(() => decode(good.subarray(1))).toThrow(/not a PNG/);
    expect(() => decode(good.subarray(0, good.length - 30))).toThrow(/truncated/);
    const interlaced = good.slice();
    interlaced[8 + 8 + 12] = 1;
    expect(() => decode(withCrcs(interlaced))).toThrow(/interlaced/);
    const corrupt = good.slice();
    corrupt[8 + 25 + 8 + 2] ^= 0xff; // first bytes of the deflate data
    expect(() => decode(withCrcs(corrupt))).toThrow(/inflate|filter|short/);
  });

  it('verifies every chunk CRC', async () => {
    const good = await encodePng(imageAt(images, 1).map((v) => v & 0xc0), { colorType: 3, idatChunks: 2 });
    // A bit flipped in each chunk's type or data in turn (IHDR, PLTE, both IDATs, IEND's type),
    // then in a stored CRC itself.
    const chunks = chunkOffsets(good);
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'PLTE', 'IDAT', 'IDAT', 'IEND']);
    for (const { type, at, length } of chunks) {
      const inData = good.slice();
      inData[at + 4 + (length > 0 ? length - 1 : 3)] ^= 0x10;
      expect(() => decode(inData), type).toThrow(/chunk fails its CRC-32 check \(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\)/);
      const inCrc = good.slice();
      inCrc[at + 8 + length] ^= 0x01;
      expect(() => decode(inCrc), type).toThrow(new RegExp(`PNG ${type} chunk fails its CRC-32 check`));
    }
  });

  it('verifies the zlib Adler-32 of the image data', async () => {
    const good = await encodePng(imageAt(images, 5));
    const idat = chunkOffsets(good).find((c) => c.type === 'IDAT')!;
    const bad = good.slice();
    // The last byte of the IDAT data is the Adler-32's low byte; the chunk CRC is made to match.
    bad[idat.at + 8 + idat.length - 1] ^= 0x01;
    expect(() => decode(withCrcs(bad))).toThrow(/zlib Adler-32 check failed \(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\)/);
    const cut = withCrcs(shortenIdat(good, 2));
    expect(() => decode(cut)).toThrow(/ends before its Adler-32 checksum; truncated/);
  });
});

describe('inflate', () => {
  it('matches DecompressionStream output for stored, fixed and dynamic blocks', async () => {
    const next = rng(9);
    const cases = [
      new Uint8Array(70_000).map(() => next() & 255), // incompressible: stored blocks
      new TextEncoder().encode('hello hello hello'), // short: fixed Huffman
      new Uint8Array(50_000).map((_, i) => (i * i) % 251 ^ (i >> 9)), // dynamic
      new Uint8Array(0),
    ];
    for (const data of cases) {
      const z = await compress(data, 'deflate');
      const out = new Uint8Array(data.length);
      expect(zlibInflateInto(z, out)).toBe(data.length);
      expect(out).toEqual(data);
      if (data.length > 10) expect(() => zlibInflateInto(z.subarray(0, z.length >> 1), new Uint8Array(data.length))).toThrow(/truncated|invalid|distance/);
      if (data.length > 0) expect(() => zlibInflateInto(z, new Uint8Array(data.length - 1))).toThrow(/larger than expected/);
    }
    expect(() => zlibInflateInto(new Uint8Array([0x78, 0x00]), new Uint8Array(1))).toThrow(/bad header/);
  });
});

/** Chunk positions of a PNG: `at` is the start of the length field. */
function chunkOffsets(png: Uint8Array): { type: string; at: number; length: number }[] {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const out = [];
  for (let at = 8; at + 12 <= png.length; ) {
    const length = view.getUint32(at);
    out.push({ type: String.fromCharCode(...png.subarray(at + 4, at + 8)), at, length });
    at += 12 + length;
  }
  return out;
}

/** The same PNG with every chunk CRC recomputed (node:zlib), so a test reaches the checks after it. */
function withCrcs(png: Uint8Array): Uint8Array {
  const out = png.slice();
  const view = new DataView(out.buffer);
  for (const { at, length } of chunkOffsets(out)) view.setUint32(at + 8 + length, crc32(out.subarray(at + 4, at + 8 + length)));
  return out;
}

/** Drops the last `n` bytes of the (single) IDAT chunk's data, fixing its length field. */
function shortenIdat(png: Uint8Array, n: number): Uint8Array {
  const idat = chunkOffsets(png).find((c) => c.type === 'IDAT')!;
  const end = idat.at + 8 + idat.length;
  const out = new Uint8Array(png.length - n);
  out.set(png.subarray(0, end - n));
  out.set(png.subarray(end), end - n);
  new DataView(out.buffer).setUint32(idat.at, idat.length - n);
  return out;
}
