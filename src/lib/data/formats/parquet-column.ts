import { CifarFormatError, describeError, formatCount } from './errors';
import { CODEC_NAMES, PhysicalType, TYPE_NAMES, type ChunkInfo, type LeafColumn } from './parquet-meta';
import { bitWidthFor, decodeHybrid } from './rle';
import { snappyUncompress } from './snappy';
import { transformBytes } from './sources';
import { ThriftReader, field, type ThriftStruct } from './thrift';

const PageType = { DATA: 0, INDEX: 1, DICTIONARY: 2, DATA_V2: 3 } as const;
const Encoding = { PLAIN: 0, PLAIN_DICTIONARY: 2, RLE: 3, RLE_DICTIONARY: 8 } as const;
const ENCODING_NAMES: Record<number, string> = { 0: 'PLAIN', 2: 'PLAIN_DICTIONARY', 3: 'RLE', 4: 'BIT_PACKED', 5: 'DELTA_BINARY_PACKED', 6: 'DELTA_LENGTH_BYTE_ARRAY', 7: 'DELTA_BYTE_ARRAY', 8: 'RLE_DICTIONARY', 9: 'BYTE_STREAM_SPLIT' };

export type ColumnValue = number | Uint8Array;

/** One column chunk of a non-repeated column: a definition level per row, values for defined rows. */
export interface ColumnData {
  defs: Int32Array;
  values: ColumnValue[];
}

/** Where in the file a problem is, for messages: the file plus "row group 3, column label". */
export interface ChunkContext {
  file: string;
  where: string;
}

function fail(ctx: ChunkContext, detail: string, cause?: unknown): CifarFormatError {
  return new CifarFormatError(ctx.file, `${ctx.where}: ${detail}`, cause === undefined ? {} : { cause });
}

async function decompress(ctx: ChunkContext, codec: number, data: Uint8Array, size: number): Promise<Uint8Array> {
  try {
    let out: Uint8Array;
    if (codec === 0) out = data;
    else if (codec === 1) out = snappyUncompress(data, size);
    else if (codec === 2) out = await transformBytes(data, new DecompressionStream('gzip'));
    else throw fail(ctx, `${CODEC_NAMES[codec] ?? `codec ${codec}`} compression is not supported (use UNCOMPRESSED, SNAPPY or GZIP)`);
    if (out.length !== size) throw new Error(`page decompressed to ${out.length} bytes, header says ${size}`);
    return out;
  } catch (e) {
    if (e instanceof CifarFormatError) throw e;
    throw fail(ctx, `corrupt ${CODEC_NAMES[codec]} page (${describeError(e)})`, e);
  }
}

/** PLAIN values of the physical types a CIFAR file uses; byte arrays are views, not copies. */
function decodePlain(ctx: ChunkContext, type: number, data: Uint8Array, pos: number, count: number, out: ColumnValue[]): void {
  const view = new DataView(data.buffer, data.byteOffset, data.length);
  for (let i = 0; i < count; i++) {
    if (type === PhysicalType.BYTE_ARRAY) {
      if (pos + 4 > data.length) throw fail(ctx, `PLAIN data ends after ${i} of ${count} values`);
      const n = view.getUint32(pos, true);
      pos += 4;
      if (pos + n > data.length) throw fail(ctx, `PLAIN data ends inside value ${i} of ${count}`);
      out.push(data.subarray(pos, pos + n));
      pos += n;
    } else if (type === PhysicalType.INT64) {
      if (pos + 8 > data.length) throw fail(ctx, `PLAIN data ends after ${i} of ${count} values`);
      out.push(view.getUint32(pos, true) + view.getInt32(pos + 4, true) * 2 ** 32);
      pos += 8;
    } else if (type === PhysicalType.INT32) {
      if (pos + 4 > data.length) throw fail(ctx, `PLAIN data ends after ${i} of ${count} values`);
      out.push(view.getInt32(pos, true));
      pos += 4;
    } else {
      throw fail(ctx, `physical type ${TYPE_NAMES[type] ?? type} is not supported`);
    }
  }
}

function decodeValues(ctx: ChunkContext, column: LeafColumn, encoding: number, data: Uint8Array, pos: number, count: number, dict: ColumnValue[] | undefined, out: ColumnValue[]): void {
  if (encoding === Encoding.PLAIN) {
    decodePlain(ctx, column.type, data, pos, count, out);
    return;
  }
  if (encoding === Encoding.RLE_DICTIONARY || encoding === Encoding.PLAIN_DICTIONARY) {
    if (!dict) throw fail(ctx, 'dictionary-encoded page without a dictionary page');
    if (count === 0) return;
    if (pos >= data.length) throw fail(ctx, 'dictionary-encoded page has no data');
    const bitWidth = data[pos];
    const indices = new Int32Array(count);
    try {
      decodeHybrid(data, pos + 1, data.length, bitWidth, count, indices);
    } catch (e) {
      throw fail(ctx, `corrupt dictionary indices (${describeError(e)})`, e);
    }
    for (let i = 0; i < count; i++) {
      const v = dict[indices[i]];
      if (v === undefined) throw fail(ctx, `dictionary index ${indices[i]} is outside the ${dict.length}-entry dictionary`);
      out.push(v);
    }
    return;
  }
  throw fail(ctx, `value encoding ${ENCODING_NAMES[encoding] ?? encoding} is not supported`);
}

function countDefined(defs: Int32Array, from: number, to: number, maxDef: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (defs[i] === maxDef) n++;
  return n;
}

/**
 * All pages of one column chunk: an optional dictionary page, then data pages (V1 or V2), whose
 * encoding may change from dictionary to PLAIN part-way (the writer's fallback when the dictionary
 * grows too large).
 */
export async function readColumnChunk(ctx: ChunkContext, bytes: Uint8Array, column: LeafColumn, chunk: ChunkInfo, numRows: number): Promise<ColumnData> {
  if (column.maxRep > 0) throw fail(ctx, 'repeated (list) columns are not supported');
  if (chunk.numValues !== numRows) throw fail(ctx, `holds ${formatCount(chunk.numValues)} values for ${formatCount(numRows)} rows`);
  const defs = new Int32Array(numRows);
  const values: ColumnValue[] = [];
  const defWidth = bitWidthFor(column.maxDef);
  let dict: ColumnValue[] | undefined;
  let read = 0;
  let pos = 0;
  while (read < numRows) {
    if (pos >= bytes.length) throw fail(ctx, `column chunk ends after ${formatCount(read)} of ${formatCount(numRows)} values; truncated`);
    let header: ThriftStruct;
    const reader = new ThriftReader(bytes, pos);
    try {
      header = reader.struct();
    } catch (e) {
      throw fail(ctx, `corrupt or truncated page header at byte ${formatCount(pos)} of the chunk (${describeError(e)})`, e);
    }
    pos = reader.pos;
    const type = field.num(header, 1);
    const uncompressedSize = field.num(header, 2) ?? 0;
    const compressedSize = field.num(header, 3) ?? 0;
    if (pos + compressedSize > bytes.length) throw fail(ctx, `page at byte ${formatCount(pos)} runs past the column chunk; truncated`);
    const body = bytes.subarray(pos, pos + compressedSize);
    pos += compressedSize;

    if (type === PageType.DICTIONARY) {
      const dph = field.struct(header, 7);
      const n = (dph && field.num(dph, 1)) ?? 0;
      const data = await decompress(ctx, chunk.codec, body, uncompressedSize);
      dict = [];
      decodePlain(ctx, column.type, data, 0, n, dict);
    } else if (type === PageType.DATA) {
      const dph = field.struct(header, 5);
      if (!dph) throw fail(ctx, 'data page without its header');
      const n = field.num(dph, 1) ?? 0;
      if (read + n > numRows) throw fail(ctx, 'pages hold more values than the row group has rows');
      const data = await decompress(ctx, chunk.codec, body, uncompressedSize);
      let p = 0;
      if (column.maxDef > 0) {
        const levelEncoding = field.num(dph, 3);
        if (levelEncoding !== Encoding.RLE) throw fail(ctx, `definition level encoding ${ENCODING_NAMES[levelEncoding ?? -1] ?? levelEncoding} is not supported`);
        if (data.length < 4) throw fail(ctx, 'data page too short for its definition levels');
        const len = data[0] | (data[1] << 8) | (data[2] << 16) | (data[3] << 24);
        if (len < 0 || 4 + len > data.length) throw fail(ctx, 'definition levels run past the page');
        levels(ctx, data, 4, 4 + len, defWidth, n, defs, read);
        p = 4 + len;
      } else defs.fill(0, read, read + n);
      decodeValues(ctx, column, field.num(dph, 2) ?? -1, data, p, countDefined(defs, read, read + n, column.maxDef), dict, values);
      read += n;
    } else if (type === PageType.DATA_V2) {
      const dph = field.struct(header, 8);
      if (!dph) throw fail(ctx, 'data page V2 without its header');
      const n = field.num(dph, 1) ?? 0;
      if (read + n > numRows) throw fail(ctx, 'pages hold more values than the row group has rows');
      const defLen = field.num(dph, 5) ?? 0;
      const repLen = field.num(dph, 6) ?? 0;
      if (repLen + defLen > body.length) throw fail(ctx, 'data page V2 levels run past the page');
      // V2 keeps the levels outside the compressed section so they can be read without inflating.
      if (column.maxDef > 0) levels(ctx, body, repLen, repLen + defLen, defWidth, n, defs, read);
      else defs.fill(0, read, read + n);
      const compressed = field.bool(dph, 7) ?? true;
      const rest = body.subarray(repLen + defLen);
      const data = compressed ? await decompress(ctx, chunk.codec, rest, uncompressedSize - repLen - defLen) : rest;
      decodeValues(ctx, column, field.num(dph, 4) ?? -1, data, 0, countDefined(defs, read, read + n, column.maxDef), dict, values);
      read += n;
    }
    // Index pages and unknown page types carry nothing this reader needs.
  }
  return { defs, values };
}

function levels(ctx: ChunkContext, data: Uint8Array, from: number, to: number, width: number, count: number, out: Int32Array, at: number): void {
  try {
    decodeHybrid(data, from, to, width, count, out, at);
  } catch (e) {
    throw fail(ctx, `corrupt definition levels (${describeError(e)})`, e);
  }
}
