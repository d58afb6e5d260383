import { IMAGE_SIZE } from '../image-set';
import { crc32 } from './crc32';
import { zlibInflateInto } from './inflate';
import { concatBytes } from '../../bytes';

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
/** Bytes per pixel of the 8-bit colour types this reader takes: grey, RGB, palette, grey+alpha, RGBA. */
const CHANNELS_OF: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** A PNG's header and still-compressed pixel data, split out so inflation can be swapped. */
export interface PngParts {
  width: number;
  height: number;
  colorType: number;
  palette: Uint8Array | undefined;
  idat: Uint8Array;
  /** Size of the filtered scanlines once inflated. */
  rawLength: number;
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

/**
 * Chunk walk and header checks. Only what a 32x32 CIFAR image needs is accepted: 8-bit,
 * non-interlaced, and exactly 32x32 (any other size would silently corrupt the NHWC layout).
 * Every chunk's CRC is verified, ancillary chunks and IEND included. Throws plain Errors; the
 * parquet reader names the file and row.
 */
export function parsePng(png: Uint8Array): PngParts {
  if (png.length < 8 || SIGNATURE.some((b, i) => png[i] !== b)) throw new Error('not a PNG (bad signature)');
  let pos = 8;
  let header: Omit<PngParts, 'palette' | 'idat' | 'rawLength'> | undefined;
  let palette: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  let ended = false;
  while (pos + 8 <= png.length) {
    const length = u32(png, pos);
    const type = String.fromCharCode(png[pos + 4], png[pos + 5], png[pos + 6], png[pos + 7]);
    const data = pos + 8;
    if (data + length + 4 > png.length) throw new Error(`PNG is truncated inside its ${type} chunk`);
    const stored = u32(png, data + length);
    const computed = crc32(png, pos + 4, data + length);
    if (stored !== computed) throw new Error(`PNG ${type} chunk fails its CRC-32 check (stored ${hex(stored)}, computed ${hex(computed)})`);
    if (type === 'IHDR') {
      if (length < 13) throw new Error('PNG IHDR chunk is too short');
      const bitDepth = png[data + 8];
      const colorType = png[data + 9];
      header = { width: u32(png, data), height: u32(png, data + 4), colorType };
      if (header.width !== IMAGE_SIZE || header.height !== IMAGE_SIZE) {
        throw new Error(`PNG is ${header.width}x${header.height}, expected ${IMAGE_SIZE}x${IMAGE_SIZE}`);
      }
      if (bitDepth !== 8 || CHANNELS_OF[colorType] === undefined) {
        throw new Error(`PNG colour type ${colorType} at bit depth ${bitDepth} is not supported (need 8-bit grey, RGB, palette, grey+alpha or RGBA)`);
      }
      if (png[data + 12] !== 0) throw new Error('interlaced PNGs are not supported');
    } else if (type === 'PLTE') {
      palette = png.subarray(data, data + length);
    } else if (type === 'IDAT') {
      idat.push(png.subarray(data, data + length));
    } else if (type === 'IEND') {
      ended = true;
      break;
    }
    pos = data + length + 4;
  }
  if (!header) throw new Error('PNG has no IHDR chunk');
  if (idat.length === 0) throw new Error('PNG has no image data (IDAT)');
  if (!ended) throw new Error('PNG is truncated (no IEND chunk)');
  if (header.colorType === 3 && !palette) throw new Error('palette PNG has no PLTE chunk');
  const joined = idat.length === 1 ? idat[0] : concatBytes(idat);
  const rawLength = header.height * (1 + header.width * CHANNELS_OF[header.colorType]);
  return { ...header, palette, idat: joined, rawLength };
}

/**
 * Undoes the per-scanline filters in place and writes RGB (alpha dropped, grey replicated,
 * palette looked up) to `out` at `outAt`.
 */
export function unfilterToRgb(parts: PngParts, raw: Uint8Array, out: Uint8Array, outAt: number): void {
  if (raw.length < parts.rawLength) throw new Error(`PNG image data is too short (${raw.length} of ${parts.rawLength} bytes)`);
  const bpp = CHANNELS_OF[parts.colorType];
  const stride = parts.width * bpp;
  for (let y = 0; y < parts.height; y++) {
    const row = y * (stride + 1) + 1;
    const prev = row - (stride + 1);
    const filter = raw[row - 1];
    // Row 0 has an all-zero row above it; rewriting the filter to its equivalent keeps the hot
    // loops free of per-byte edge checks. Each filter is its own small function so V8 optimises
    // each loop separately.
    const effective = y > 0 ? filter : filter === 2 ? 0 : filter === 4 ? 1 : filter === 3 ? 5 : filter;
    if (effective === 1) unSub(raw, row, stride, bpp);
    else if (effective === 2) unUp(raw, row, prev, stride);
    else if (effective === 3) unAverage(raw, row, prev, stride, bpp);
    else if (effective === 4) unPaeth(raw, row, prev, stride, bpp);
    else if (effective === 5) unAverageFirstRow(raw, row, stride, bpp);
    else if (effective !== 0) throw new Error(`PNG row ${y} has unknown filter type ${filter}`);
    let o = outAt + y * parts.width * 3;
    if (parts.colorType === 2) {
      // Copied once all rows are unfiltered (below): the next row's filter reads this one in place.
    } else if (parts.colorType === 6) {
      for (let i = 0; i < stride; i += 4) {
        out[o++] = raw[row + i];
        out[o++] = raw[row + i + 1];
        out[o++] = raw[row + i + 2];
      }
    } else if (parts.colorType === 3) {
      const pal = parts.palette!;
      for (let i = 0; i < stride; i++) {
        const p = raw[row + i] * 3;
        if (p + 2 >= pal.length) throw new Error(`PNG palette index ${raw[row + i]} is outside its ${pal.length / 3}-entry palette`);
        out[o++] = pal[p];
        out[o++] = pal[p + 1];
        out[o++] = pal[p + 2];
      }
    } else {
      for (let i = 0; i < stride; i += bpp) {
        const v = raw[row + i];
        out[o++] = v;
        out[o++] = v;
        out[o++] = v;
      }
    }
  }
  if (parts.colorType === 2) {
    // RGB rows are already the output; dropping each row's filter byte with copyWithin and
    // copying the image with one set() avoids both a byte loop and a view per row (which, 32 per
    // image, kept the garbage collector busy).
    for (let y = 0; y < parts.height; y++) raw.copyWithin(y * stride, y * (stride + 1) + 1, (y + 1) * (stride + 1));
    out.set(raw.subarray(0, parts.height * stride), outAt);
  }
}

function unSub(raw: Uint8Array, row: number, stride: number, bpp: number): void {
  for (let i = row + bpp, end = row + stride; i < end; i++) raw[i] = (raw[i] + raw[i - bpp]) & 255;
}

function unUp(raw: Uint8Array, row: number, prev: number, stride: number): void {
  for (let i = 0; i < stride; i++) raw[row + i] = (raw[row + i] + raw[prev + i]) & 255;
}

function unAverageFirstRow(raw: Uint8Array, row: number, stride: number, bpp: number): void {
  for (let i = row + bpp, end = row + stride; i < end; i++) raw[i] = (raw[i] + (raw[i - bpp] >>> 1)) & 255;
}

function unAverage(raw: Uint8Array, row: number, prev: number, stride: number, bpp: number): void {
  for (let i = 0; i < bpp; i++) raw[row + i] = (raw[row + i] + (raw[prev + i] >>> 1)) & 255;
  for (let i = bpp; i < stride; i++) raw[row + i] = (raw[row + i] + ((raw[row + i - bpp] + raw[prev + i]) >>> 1)) & 255;
}

function unPaeth(raw: Uint8Array, row: number, prev: number, stride: number, bpp: number): void {
  // Left and upper-left are zero in the first pixel, where Paeth picks the byte above.
  for (let i = 0; i < bpp; i++) raw[row + i] = (raw[row + i] + raw[prev + i]) & 255;
  for (let i = bpp; i < stride; i++) {
    const a = raw[row + i - bpp];
    const b = raw[prev + i];
    const c = raw[prev + i - bpp];
    let pa = b - c;
    let pb = a - c;
    let pc = pa + pb;
    if (pa < 0) pa = -pa;
    if (pb < 0) pb = -pb;
    if (pc < 0) pc = -pc;
    raw[row + i] = (raw[row + i] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 255;
  }
}

/** Decodes one CIFAR PNG into 3,072 RGB bytes of `out` at `outAt`, synchronously. */
export function decodePngInto(png: Uint8Array, out: Uint8Array, outAt: number, scratch?: Uint8Array): void {
  const parts = parsePng(png);
  const raw = scratch && scratch.length >= parts.rawLength ? scratch.subarray(0, parts.rawLength) : new Uint8Array(parts.rawLength);
  const n = zlibInflateInto(parts.idat, raw);
  if (n < parts.rawLength) throw new Error(`PNG image data is too short (${n} of ${parts.rawLength} bytes)`);
  unfilterToRgb(parts, raw, out, outAt);
}
