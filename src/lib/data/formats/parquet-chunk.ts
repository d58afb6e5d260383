import type { CompressionCodec, Compressors, DataReader, DecodedArray, PageHeader, SchemaElement, SchemaTree } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { DEFAULT_PARSERS } from 'hyparquet/src/convert.js';
import { decompressPage, readDataPage, readDataPageV2 } from 'hyparquet/src/datapage.js';
import { readPlain } from 'hyparquet/src/plain.js';
import { compressors, decompressBrotli, decompressGzip, decompressLz4, decompressLz4Raw, decompressZstd } from 'hyparquet-compressors';
import { crc32 } from './crc32';
import { describeError, formatCount } from './errors';

/**
 * The content size a ZSTD frame header declares (RFC 8878, 3.1.1.1), or undefined when the frame
 * does not declare one (or is not a ZSTD frame; the decoder then reports that).
 */
function zstdContentSize(input: Uint8Array): number | undefined {
  if (input.length < 6 || input[0] !== 0x28 || input[1] !== 0xb5 || input[2] !== 0x2f || input[3] !== 0xfd) return undefined;
  const descriptor = input[4];
  const sizeFlag = descriptor >> 6;
  const singleSegment = (descriptor >> 5) & 1;
  const sizeBytes = [singleSegment, 2, 4, 8][sizeFlag];
  if (sizeBytes === 0) return undefined;
  const at = 5 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][descriptor & 3];
  if (at + sizeBytes > input.length) return undefined;
  let size = 0;
  for (let i = sizeBytes - 1; i >= 0; i--) size = size * 256 + input[at + i];
  return sizeBytes === 2 ? size + 256 : size;
}

/**
 * ZSTD through fzstd. Given an output buffer, fzstd compares it with a number (`w == 1`), which
 * turns the whole buffer into a string: 2.5 s per 130 MB of pages. So it is left to allocate the
 * output itself, from the frame's declared size, once that size is checked against the page header
 * (a corrupt header could otherwise make it allocate up to 2 GB). A frame without a declared size
 * takes the slow, bounded path.
 */
function decompressZstdPage(input: Uint8Array, length: number): Uint8Array {
  const declared = zstdContentSize(input);
  if (declared === undefined) return decompressZstd(input, new Uint8Array(length));
  if (declared !== length) throw new Error(`zstd frame says ${declared} bytes, page header says ${length}`);
  return decompressZstd(input);
}

/** The uncompressed length a Snappy block starts with (a little-endian base-128 varint), or -1. */
function snappyLength(input: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < 5 && i < input.length; i++) {
    n += (input[i] & 0x7f) * 2 ** (7 * i);
    if (!(input[i] & 0x80)) return n;
  }
  return -1;
}

/** hyparquet-compressors' Snappy: a 3.5 KB WebAssembly module, instantiated from base64 when imported. */
const wasmSnappy = compressors.SNAPPY!;

/**
 * Snappy through the WebAssembly decoder, about 3x hyparquet's JavaScript one on the CIFAR pages.
 * It bounds its writes by the length the block declares but is not told the room it has, and with
 * a shorter block it would return whatever its memory held from the previous page; so the declared
 * length must equal the page header's.
 */
function decompressSnappyPage(input: Uint8Array, length: number): Uint8Array {
  const declared = snappyLength(input);
  if (declared !== length) throw new Error(`snappy block says ${declared < 0 ? 'nothing readable' : `${declared} bytes`}, page header says ${length}`);
  return wasmSnappy(input, length);
}

/** The codecs: everything but UNCOMPRESSED, which hyparquet handles itself. */
const COMPRESSORS: Compressors = {
  SNAPPY: decompressSnappyPage,
  GZIP: decompressGzip,
  BROTLI: decompressBrotli,
  ZSTD: decompressZstdPage,
  LZ4: decompressLz4,
  LZ4_RAW: decompressLz4Raw,
};

export const SUPPORTED_CODECS: ReadonlySet<string> = new Set(['UNCOMPRESSED', ...Object.keys(COMPRESSORS)]);

/** No CIFAR page comes near this; a larger declared size is a corrupt header, not data. */
const MAX_PAGE_BYTES = 1 << 30;

/** A leaf column with what decoding it needs: its schema path and level maxima. */
export interface LeafColumn {
  path: string;
  element: SchemaElement;
  schemaPath: SchemaTree[];
  maxDef: number;
  maxRep: number;
}

export type ColumnValue = Uint8Array | bigint | number;

/** A problem this module found itself; the caller adds the file, row group and column. */
export class PageError extends Error {}

type Decoder = Parameters<typeof readDataPageV2>[2];

function decoderFor(column: LeafColumn, codec: CompressionCodec): Decoder {
  return {
    pathInSchema: column.path.split('.'),
    type: column.element.type!,
    element: column.element,
    schemaPath: column.schemaPath,
    codec,
    compressors: COMPRESSORS,
    parsers: DEFAULT_PARSERS,
    // Image bytes are binary; hyparquet would otherwise decode every BYTE_ARRAY as UTF-8 text.
    utf8: false,
  };
}

function bitWidth(max: number): number {
  return 32 - Math.clz32(max);
}

/**
 * Walks the run headers of an RLE / bit-packed hybrid block without decoding it. hyparquet's
 * decoder trusts a run's length and fills (and grows) its output array by it, so a corrupt
 * varint would stall or exhaust memory; this refuses a run longer than the values left. With
 * `exact`, the block must hold `count` values; otherwise `count` is an upper bound and running out
 * of data is left to the decoder, which cannot read past the page.
 */
function checkRuns(data: Uint8Array, from: number, to: number, width: number, count: number, what: string, exact: boolean): void {
  let pos = from;
  let seen = 0;
  while (seen < count) {
    let header = 0;
    let shift = 0;
    for (;;) {
      if (pos >= to) {
        if (!exact) return;
        throw new PageError(`corrupt ${what} (they end after ${formatCount(seen)} of ${formatCount(count)} values)`);
      }
      if (shift > 28) throw new PageError(`corrupt ${what} (run header at byte ${formatCount(pos)} is too long)`);
      const b = data[pos++];
      header += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (!(b & 0x80)) break;
    }
    const left = count - seen;
    if (header % 2 === 1) {
      // A bit-packed run may be padded far past the count (DuckDB pads to 256 values); hyparquet
      // stops storing at the count, so only the bytes it spans need to exist.
      const groups = (header - 1) / 2;
      pos += groups * width;
      seen += groups * 8;
    } else {
      const run = header / 2;
      if (run > left) throw new PageError(`corrupt ${what} (a run of ${formatCount(run)} values where ${formatCount(left)} are left)`);
      pos += (width + 7) >> 3;
      seen += run;
    }
    if (exact && pos > to) throw new PageError(`corrupt ${what} (runs past the end of their data)`);
  }
}

function isDictionaryEncoding(encoding: string): boolean {
  return encoding === 'PLAIN_DICTIONARY' || encoding === 'RLE_DICTIONARY';
}

function checkValueEncoding(encoding: string | undefined): void {
  // RLE and BIT_PACKED values only exist for booleans; hyparquet would read them as indices.
  if (encoding === undefined || encoding === 'RLE' || encoding === 'BIT_PACKED') {
    throw new PageError(`value encoding ${encoding ?? 'unknown'} is not supported`);
  }
}

function checkCount(n: unknown, left: number, what: string): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new PageError(`${what} has an invalid value count (${String(n)})`);
  if (n > left) throw new PageError('pages hold more values than the row group has rows');
  return n;
}

/**
 * Checks the dictionary indices of a page (a bit width byte, then a hybrid block) before
 * hyparquet decodes them; `count` is the page's value count, an upper bound when rows are null.
 */
function checkIndices(values: Uint8Array, from: number, count: number): void {
  if (count === 0) return;
  if (from >= values.length) throw new PageError('dictionary-encoded page has no data');
  const width = values[from];
  if (width > 32) throw new PageError(`dictionary indices have bit width ${width}`);
  if (width > 0) checkRuns(values, from + 1, values.length, width, count, 'dictionary indices', false);
}

/** Dictionary indices to values, refusing an index outside the dictionary. */
function lookUp(indices: DecodedArray, dictionary: DecodedArray | undefined): ColumnValue[] {
  if (!dictionary) throw new PageError('dictionary-encoded page without a dictionary page');
  const out: ColumnValue[] = new Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const v = dictionary[indices[i] as number] as ColumnValue | undefined;
    if (v === undefined) throw new PageError(`dictionary index ${String(indices[i])} is outside the ${formatCount(dictionary.length)}-entry dictionary`);
    out[i] = v;
  }
  return out;
}

/**
 * Decodes every page of one column chunk of a non-repeated column through hyparquet: one value per
 * row, `undefined` where the row's value is null. Page CRCs are checked where the writer stored
 * them. Throws PageError for what it checks itself and hyparquet's or a codec's own errors as they
 * are; the caller names the file, row group and column.
 */
export function decodeColumnChunk(bytes: Uint8Array, column: LeafColumn, codec: CompressionCodec, numRows: number): (ColumnValue | undefined)[] {
  const decoder = decoderFor(column, codec);
  const defWidth = bitWidth(column.maxDef);
  const reader: DataReader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
  const rows: (ColumnValue | undefined)[] = new Array(numRows);
  let filled = 0;
  let dictionary: DecodedArray | undefined;

  const store = (n: number, defs: ArrayLike<number> | undefined, values: ArrayLike<ColumnValue>): void => {
    const allDefined = !defs || defs.length === 0;
    let v = 0;
    for (let i = 0; i < n; i++) {
      if (allDefined || defs[i] === column.maxDef) {
        if (v >= values.length) throw new PageError(`page holds ${formatCount(values.length)} values for more non-null rows`);
        rows[filled + i] = values[v++];
      }
    }
    if (v !== values.length) throw new PageError(`page holds ${formatCount(values.length)} values for ${formatCount(v)} non-null rows`);
    filled += n;
  };

  while (filled < numRows) {
    const at = reader.offset;
    if (at >= bytes.length) throw new PageError(`column chunk ends after ${formatCount(filled)} of ${formatCount(numRows)} values; truncated`);
    let header: PageHeader;
    try {
      header = parquetHeader(reader);
    } catch (e) {
      throw new PageError(`corrupt or truncated page header at byte ${formatCount(at)} of the chunk (${describeError(e)})`);
    }
    const size = header.compressed_page_size;
    const full = header.uncompressed_page_size;
    if (!Number.isInteger(size) || size < 0 || reader.offset + size > bytes.length) {
      throw new PageError(`page at byte ${formatCount(at)} runs past the column chunk; truncated`);
    }
    if (!Number.isInteger(full) || full < 0 || full > MAX_PAGE_BYTES) {
      throw new PageError(`page at byte ${formatCount(at)} declares ${String(full)} bytes uncompressed; corrupt header`);
    }
    const body = bytes.subarray(reader.offset, reader.offset + size);
    reader.offset += size;
    if (header.crc !== undefined) {
      const computed = crc32(body);
      if (computed !== header.crc >>> 0) {
        throw new PageError(`page at byte ${formatCount(at)} fails its CRC-32 check (stored ${hex(header.crc >>> 0)}, computed ${hex(computed)})`);
      }
    }
    try {
      if (header.type === 'DICTIONARY_PAGE') {
        const count = header.dictionary_page_header?.num_values;
        if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) throw new PageError('dictionary page without a valid value count');
        const page = decompressPage(body, full, codec, COMPRESSORS);
        dictionary = readPlain({ view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 0 }, decoder.type, count, column.element.type_length);
      } else if (header.type === 'DATA_PAGE') {
        const daph = header.data_page_header;
        if (!daph) throw new PageError('data page without its header');
        const n = checkCount(daph.num_values, numRows - filled, 'data page');
        checkValueEncoding(daph.encoding);
        const page = decompressPage(body, full, codec, COMPRESSORS);
        let valuesAt = 0;
        if (column.maxDef > 0) {
          if (daph.definition_level_encoding !== 'RLE') throw new PageError(`definition level encoding ${daph.definition_level_encoding ?? 'unknown'} is not supported`);
          if (page.length < 4) throw new PageError('data page too short for its definition levels');
          const length = (page[0] | (page[1] << 8) | (page[2] << 16) | (page[3] << 24)) >>> 0;
          if (4 + length > page.length) throw new PageError('definition levels run past the page');
          checkRuns(page, 4, 4 + length, defWidth, n, 'definition levels', true);
          valuesAt = 4 + length;
        }
        if (isDictionaryEncoding(daph.encoding)) checkIndices(page, valuesAt, n);
        const { definitionLevels, dataPage } = readDataPage(page, daph, decoder);
        store(n, definitionLevels, isDictionaryEncoding(daph.encoding) ? lookUp(dataPage, dictionary) : (dataPage as ArrayLike<ColumnValue>));
      } else if (header.type === 'DATA_PAGE_V2') {
        const d2 = header.data_page_header_v2;
        if (!d2) throw new PageError('data page V2 without its header');
        const n = checkCount(d2.num_values, numRows - filled, 'data page V2');
        checkValueEncoding(d2.encoding);
        const repLength = d2.repetition_levels_byte_length;
        const defLength = d2.definition_levels_byte_length;
        const levels = repLength + defLength;
        if (!(Number.isInteger(repLength) && Number.isInteger(defLength) && repLength >= 0 && defLength >= 0 && levels <= size && levels <= full)) {
          throw new PageError('data page V2 levels run past the page');
        }
        if (!(Number.isInteger(d2.num_nulls) && d2.num_nulls >= 0 && d2.num_nulls <= n)) throw new PageError(`data page V2 claims ${String(d2.num_nulls)} nulls in ${formatCount(n)} values`);
        if (column.maxDef > 0) checkRuns(body, repLength, levels, defWidth, n, 'definition levels', true);
        // V2 keeps the levels outside the compressed section; the values are decompressed here so
        // their dictionary indices can be checked before hyparquet decodes them.
        let values = body.subarray(levels);
        const compressed = d2.is_compressed !== false && full - levels > 0;
        if (compressed) values = decompressPage(values, full - levels, codec, COMPRESSORS);
        if (isDictionaryEncoding(d2.encoding)) checkIndices(values, 0, n - d2.num_nulls);
        let pageBody = body;
        let pageHeader = header;
        if (compressed) {
          pageBody = new Uint8Array(levels + values.length);
          pageBody.set(body.subarray(0, levels));
          pageBody.set(values, levels);
          pageHeader = { ...header, data_page_header_v2: { ...d2, is_compressed: false } };
        }
        const { definitionLevels, dataPage } = readDataPageV2(pageBody, pageHeader, decoder);
        store(n, definitionLevels, isDictionaryEncoding(d2.encoding) ? lookUp(dataPage, dictionary) : (dataPage as ArrayLike<ColumnValue>));
      }
      // Index pages and unknown page types carry nothing this reader needs.
    } catch (e) {
      if (e instanceof PageError) throw e;
      throw new PageError(`corrupt ${codec} page at byte ${formatCount(at)} of the chunk (${describeError(e)})`, { cause: e });
    }
  }
  return rows;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
