import { CifarFormatError, describeError, formatCount } from './errors';
import type { RandomAccess } from './sources';
import { ThriftReader, field, type ThriftStruct } from './thrift';

const MAGIC = 'PAR1';
const utf8 = new TextDecoder();

/** Parquet enum values this reader names in messages. */
export const CODEC_NAMES = ['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'LZO', 'BROTLI', 'LZ4', 'ZSTD', 'LZ4_RAW'];
export const SUPPORTED_CODECS = new Set([0, 1, 2]);
export const TYPE_NAMES = ['BOOLEAN', 'INT32', 'INT64', 'INT96', 'FLOAT', 'DOUBLE', 'BYTE_ARRAY', 'FIXED_LEN_BYTE_ARRAY'];
export const PhysicalType = { INT32: 1, INT64: 2, BYTE_ARRAY: 6 } as const;

/** A leaf column with the level maxima implied by its ancestors' repetition. */
export interface LeafColumn {
  path: string;
  type: number;
  maxDef: number;
  maxRep: number;
}

export interface ChunkInfo {
  codec: number;
  numValues: number;
  /** Byte range of the whole column chunk (dictionary page included). */
  start: number;
  length: number;
}

export interface RowGroupInfo {
  numRows: number;
  /** Keyed by dotted path, e.g. `img.bytes`. */
  chunks: Map<string, ChunkInfo>;
}

export interface ParquetMeta {
  numRows: number;
  columns: Map<string, LeafColumn>;
  rowGroups: RowGroupInfo[];
  createdBy: string | undefined;
}

function text(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}

/** Footer: ... FileMetaData, its length (u32 LE), then `PAR1`; the file also starts with `PAR1`. */
export async function readParquetMeta(file: string, source: RandomAccess): Promise<ParquetMeta> {
  if (source.size < 12) throw new CifarFormatError(file, `only ${source.size} bytes; too small to be a parquet file`);
  const head = text(await source.read(0, 4));
  const tail = await source.read(source.size - 8, 8);
  const tailMagic = text(tail.subarray(4));
  if (head !== MAGIC) throw new CifarFormatError(file, `not a parquet file (does not start with ${MAGIC})`);
  if (tailMagic === 'PARE') throw new CifarFormatError(file, 'encrypted parquet files are not supported');
  if (tailMagic !== MAGIC) throw new CifarFormatError(file, `parquet file is truncated (starts with ${MAGIC} but does not end with it)`);
  const metaLength = tail[0] | (tail[1] << 8) | (tail[2] << 16) | (tail[3] * 2 ** 24);
  if (metaLength > source.size - 12) {
    throw new CifarFormatError(file, `corrupt parquet footer (metadata length ${formatCount(metaLength)} exceeds the file)`);
  }
  const metaBytes = await source.read(source.size - 8 - metaLength, metaLength);
  let meta: ThriftStruct;
  try {
    meta = new ThriftReader(metaBytes).struct();
  } catch (e) {
    throw new CifarFormatError(file, `corrupt parquet metadata (${describeError(e)})`, { cause: e });
  }
  const columns = leafColumns(file, meta);
  const dataEnd = source.size - 8 - metaLength;
  const rowGroups = field.list(meta, 4).map((rg, i) => rowGroupInfo(file, rg as ThriftStruct, i, dataEnd));
  return { numRows: field.num(meta, 3) ?? 0, columns, rowGroups, createdBy: field.str(meta, 6) };
}

/** Schema elements are a depth-first list; each group says how many children follow it. */
function leafColumns(file: string, meta: ThriftStruct): Map<string, LeafColumn> {
  const schema = field.list(meta, 2) as ThriftStruct[];
  if (schema.length === 0) throw new CifarFormatError(file, 'parquet metadata has no schema');
  const out = new Map<string, LeafColumn>();
  let at = 1;
  const walk = (prefix: string[], def: number, rep: number, children: number): void => {
    for (let c = 0; c < children; c++) {
      const el = schema[at++];
      if (!el) throw new CifarFormatError(file, 'corrupt parquet schema (fewer elements than declared)');
      const name = field.str(el, 4) ?? '';
      const repetition = field.num(el, 3) ?? 0;
      const d = def + (repetition === 0 ? 0 : 1);
      const r = rep + (repetition === 2 ? 1 : 0);
      const kids = field.num(el, 5) ?? 0;
      if (kids > 0) walk([...prefix, name], d, r, kids);
      else out.set([...prefix, name].join('.'), { path: [...prefix, name].join('.'), type: field.num(el, 1) ?? -1, maxDef: d, maxRep: r });
    }
  };
  walk([], 0, 0, field.num(schema[0], 5) ?? 0);
  return out;
}

function rowGroupInfo(file: string, rg: ThriftStruct, index: number, dataEnd: number): RowGroupInfo {
  const chunks = new Map<string, ChunkInfo>();
  for (const c of field.list(rg, 1) as ThriftStruct[]) {
    const md = field.struct(c, 3);
    if (!md) continue;
    const path = (field.list(md, 3) as Uint8Array[]).map(text).join('.');
    if (field.str(c, 1)) throw new CifarFormatError(file, `column ${path} is stored in another file (${field.str(c, 1)}); not supported`);
    const dataOffset = field.num(md, 9) ?? 0;
    const dictOffset = field.num(md, 11);
    // Some writers put 0 here for "no dictionary"; only an offset before the data pages counts.
    const start = dictOffset !== undefined && dictOffset > 0 && dictOffset < dataOffset ? dictOffset : dataOffset;
    const length = field.num(md, 7) ?? 0;
    if (start < 4 || start + length > dataEnd) {
      throw new CifarFormatError(file, `row group ${index}, column ${path}: chunk at ${formatCount(start)}+${formatCount(length)} lies outside the data; corrupt or truncated file`);
    }
    chunks.set(path, { codec: field.num(md, 4) ?? 0, numValues: field.num(md, 5) ?? 0, start, length });
  }
  return { numRows: field.num(rg, 3) ?? 0, chunks };
}
