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
    expect(() => decode(interlaced)).toThrow(/interlaced/);
    const corrupt = good.slice();
    corrupt[8 + 25 + 8 + 2] ^= 0xff; // first bytes of the deflate data
    expect(() => decode(corrupt)).toThrow(/inflate|filter|short/);
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
