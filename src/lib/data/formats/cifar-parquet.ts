import { parquetMetadata, parquetSchema, type AsyncBuffer, type ColumnMetaData, type FileMetaData, type SchemaTree } from 'hyparquet';
import { CLASSES, PIXELS_PER_IMAGE, type ImageSet } from '../image-set';
import { baseName, emptySet } from './binary-batch';
import { CifarFormatError, describeError, formatCount } from './errors';
import { PageError, SUPPORTED_CODECS, decodeColumnChunk, type LeafColumn } from './parquet-chunk';
import { decodePngInto } from './png';
import { ProgressTracker } from './progress';
import { knownSize, toAsyncBuffer } from './sources';
import type { CheckedDataset, CifarFile, CifarReadOptions } from './types';

/** Hugging Face's `uoft-cs/cifar10` names the image struct `img`; other CIFAR exports use `image`. */
const IMAGE_COLUMNS = ['img.bytes', 'image.bytes'];
const LABEL_COLUMNS = ['label'];
const MAGIC = 'PAR1';
/** The most images one typed array of NHWC pixels can hold (2^31 − 1 bytes). */
const MAX_ROWS = Math.floor((2 ** 31 - 1) / PIXELS_PER_IMAGE);

interface ChunkRange {
  meta: ColumnMetaData;
  start: number;
  length: number;
}

interface RowGroupPlan {
  rows: number;
  image: ChunkRange;
  label: ChunkRange;
}

interface OpenParquet {
  name: string;
  source: AsyncBuffer;
  rows: number;
  groups: RowGroupPlan[];
  image: LeafColumn;
  label: LeafColumn;
}

export type Split = 'train' | 'test';

/** Train or test, from the file name (`train-00000-of-00001.parquet`, `test-….parquet`). */
export function parquetSplit(path: string): Split {
  const name = baseName(path).toLowerCase();
  const train = name.includes('train');
  const test = name.includes('test');
  if (train === test) {
    throw new CifarFormatError(path, "cannot tell the split from the name (it must contain either 'train' or 'test', like train-00000-of-00001.parquet)");
  }
  return train ? 'train' : 'test';
}

async function bytesAt(source: AsyncBuffer, start: number, end: number): Promise<Uint8Array> {
  return new Uint8Array(await source.slice(start, end));
}

/**
 * The magic at both ends and the footer length are checked here, so the common wrong inputs (not
 * parquet, truncated, encrypted) get a plain message; the metadata itself is parsed by hyparquet.
 */
async function readFooter(file: string, source: AsyncBuffer): Promise<{ meta: FileMetaData; dataEnd: number }> {
  const size = source.byteLength;
  if (size < 12) throw new CifarFormatError(file, `only ${size} bytes; too small to be a parquet file`);
  const text = (b: Uint8Array) => String.fromCharCode(...b);
  const head = text(await bytesAt(source, 0, 4));
  const tail = await bytesAt(source, size - 8, size);
  const tailMagic = text(tail.subarray(4));
  if (head !== MAGIC) throw new CifarFormatError(file, `not a parquet file (does not start with ${MAGIC})`);
  if (tailMagic === 'PARE') throw new CifarFormatError(file, 'encrypted parquet files are not supported');
  if (tailMagic !== MAGIC) throw new CifarFormatError(file, `parquet file is truncated (starts with ${MAGIC} but does not end with it)`);
  const metaLength = (tail[0] | (tail[1] << 8) | (tail[2] << 16) | (tail[3] << 24)) >>> 0;
  if (metaLength > size - 12) throw new CifarFormatError(file, `corrupt parquet footer (metadata length ${formatCount(metaLength)} exceeds the file)`);
  const dataEnd = size - 8 - metaLength;
  const footer = await bytesAt(source, dataEnd, size);
  try {
    return { meta: parquetMetadata(footer, { geoparquet: false }), dataEnd };
  } catch (e) {
    throw new CifarFormatError(file, `corrupt parquet metadata (${describeError(e)})`, { cause: e });
  }
}

/** Leaf columns by dotted path, with the level maxima their ancestors imply. */
function leafColumns(tree: SchemaTree): Map<string, LeafColumn> {
  const out = new Map<string, LeafColumn>();
  const walk = (node: SchemaTree, ancestors: SchemaTree[]): void => {
    const schemaPath = [...ancestors, node];
    if (node.children.length > 0) {
      for (const child of node.children) walk(child, schemaPath);
      return;
    }
    const levels = schemaPath.slice(1);
    out.set(node.path.join('.'), {
      path: node.path.join('.'),
      element: node.element,
      schemaPath,
      maxDef: levels.filter((s) => s.element.repetition_type !== 'REQUIRED').length,
      maxRep: levels.filter((s) => s.element.repetition_type === 'REPEATED').length,
    });
  };
  for (const child of tree.children) walk(child, [tree]);
  return out;
}

function pick(file: string, columns: Map<string, LeafColumn>, names: string[], what: string): LeafColumn {
  for (const n of names) {
    const c = columns.get(n);
    if (c) return c;
  }
  throw new CifarFormatError(file, `no ${what} column ${names.join(' or ')} (columns: ${[...columns.keys()].join(', ') || 'none'})`);
}

/** A whole non-negative count from the metadata, which hyparquet gives as a bigint or a number. */
function count(file: string, value: unknown, what: string): number {
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new CifarFormatError(file, `corrupt parquet metadata (${what} is ${String(value)})`);
  return n;
}

function chunkRange(file: string, rowGroup: FileMetaData['row_groups'][number], index: number, column: LeafColumn, rows: number, dataEnd: number): ChunkRange {
  const chunk = rowGroup.columns.find((c) => Array.isArray(c.meta_data?.path_in_schema) && c.meta_data.path_in_schema.join('.') === column.path);
  if (!chunk?.meta_data) throw new CifarFormatError(file, `row group ${index} has no data for column ${column.path}`);
  if (chunk.file_path) throw new CifarFormatError(file, `column ${column.path} is stored in another file (${chunk.file_path}); not supported`);
  const meta = chunk.meta_data;
  if (!SUPPORTED_CODECS.has(meta.codec)) {
    throw new CifarFormatError(file, `column ${column.path} uses ${meta.codec ?? 'an unknown'} compression, which is not supported (UNCOMPRESSED, SNAPPY, GZIP, BROTLI, ZSTD, LZ4 and LZ4_RAW are)`);
  }
  const where = `row group ${index}, column ${column.path}`;
  const values = count(file, meta.num_values, `${where}: value count`);
  if (values !== rows) throw new CifarFormatError(file, `${where}: holds ${formatCount(values)} values for ${formatCount(rows)} rows`);
  const dataOffset = count(file, meta.data_page_offset, `${where}: data page offset`);
  const dictOffset = meta.dictionary_page_offset === undefined ? 0 : count(file, meta.dictionary_page_offset, `${where}: dictionary page offset`);
  // Some writers put 0 here for "no dictionary"; only an offset before the data pages counts.
  const start = dictOffset > 0 && dictOffset < dataOffset ? dictOffset : dataOffset;
  const length = count(file, meta.total_compressed_size, `${where}: chunk size`);
  if (start < 4 || start + length > dataEnd) {
    throw new CifarFormatError(file, `${where}: chunk at ${formatCount(start)}+${formatCount(length)} lies outside the data; corrupt or truncated file`);
  }
  return { meta, start, length };
}

/** Footer, schema and codec checks, before any row is decoded, so a wrong file fails at once. */
export async function openParquet(file: CifarFile): Promise<OpenParquet> {
  const source = await toAsyncBuffer(file.data);
  const { meta, dataEnd } = await readFooter(file.name, source);
  try {
    return { name: file.name, source, ...plan(file.name, meta, dataEnd) };
  } catch (e) {
    // hyparquet parses whatever Thrift it finds; a damaged footer can leave fields missing or of
    // another type, which surfaces here as a TypeError rather than as one of our checks.
    if (e instanceof CifarFormatError) throw e;
    throw new CifarFormatError(file.name, `corrupt parquet metadata (${describeError(e)})`, { cause: e });
  }
}

function plan(file: string, meta: FileMetaData, dataEnd: number): Omit<OpenParquet, 'name' | 'source'> {
  const columns = leafColumns(parquetSchema(meta));
  const image = pick(file, columns, IMAGE_COLUMNS, 'image');
  const label = pick(file, columns, LABEL_COLUMNS, 'label');
  if (image.element.type !== 'BYTE_ARRAY') throw new CifarFormatError(file, `column ${image.path} is ${image.element.type ?? 'untyped'}, expected BYTE_ARRAY (PNG bytes)`);
  if (label.element.type !== 'INT64' && label.element.type !== 'INT32') {
    throw new CifarFormatError(file, `column label is ${label.element.type ?? 'untyped'}, expected INT64 or INT32`);
  }
  for (const c of [image, label]) if (c.maxRep > 0) throw new CifarFormatError(file, `column ${c.path} is repeated (a list); not supported`);
  const groups = (meta.row_groups ?? []).map((rg, i): RowGroupPlan => {
    const rows = count(file, rg.num_rows, `row group ${i} row count`);
    return { rows, image: chunkRange(file, rg, i, image, rows, dataEnd), label: chunkRange(file, rg, i, label, rows, dataEnd) };
  });
  const rows = groups.reduce((n, g) => n + g.rows, 0);
  const declared = count(file, meta.num_rows, 'row count');
  if (rows !== declared) throw new CifarFormatError(file, `row groups hold ${formatCount(rows)} rows but the footer says ${formatCount(declared)}`);
  if (rows > MAX_ROWS) throw new CifarFormatError(file, `holds ${formatCount(rows)} rows; more than the ${formatCount(MAX_ROWS)} images this reader can hold`);
  return { rows, groups, image, label };
}

/** One column chunk of one row group, fetched on its own and decoded; errors name where they happened. */
async function readChunk(shard: OpenParquet, g: number, column: LeafColumn, chunk: ChunkRange, rows: number, tracker: ProgressTracker) {
  const where = `row group ${g}, column ${column.path}`;
  const bytes = await bytesAt(shard.source, chunk.start, chunk.start + chunk.length);
  if (bytes.length < chunk.length) throw new CifarFormatError(shard.name, `${where}: file ends inside the column chunk; truncated`);
  tracker.addBytes(bytes.length);
  try {
    return decodeColumnChunk(bytes, column, chunk.meta.codec, rows);
  } catch (e) {
    const detail = e instanceof PageError ? e.message : `corrupt column chunk (${describeError(e)})`;
    throw new CifarFormatError(shard.name, `${where}: ${detail}`, { cause: e });
  }
}

/** Decodes rows (up to the set's size) from the shards in order into `set`, one row group at a time. */
async function decodeRows(shards: OpenParquet[], set: ImageSet, tracker: ProgressTracker): Promise<void> {
  let filled = 0;
  const scratch = new Uint8Array(32 * (1 + 32 * 4));
  for (const shard of shards) {
    tracker.file = shard.name;
    let rowBase = 0;
    for (const [g, group] of shard.groups.entries()) {
      const take = Math.min(group.rows, set.count - filled);
      if (take <= 0) return;
      const labels = await readChunk(shard, g, shard.label, group.label, group.rows, tracker);
      const images = await readChunk(shard, g, shard.image, group.image, group.rows, tracker);
      for (let i = 0; i < take; i++) {
        const row = rowBase + i;
        const raw = labels[i];
        if (raw === undefined) throw new CifarFormatError(shard.name, 'label is null', { record: row, unit: 'row' });
        const label = Number(raw);
        if (!(label >= 0 && label < CLASSES)) {
          throw new CifarFormatError(shard.name, `label ${String(raw)} is out of range (expected 0–${CLASSES - 1})`, { record: row, unit: 'row' });
        }
        const png = images[i];
        if (!(png instanceof Uint8Array)) throw new CifarFormatError(shard.name, `image (${shard.image.path}) is null`, { record: row, unit: 'row' });
        try {
          decodePngInto(png, set.images, (filled + i) * PIXELS_PER_IMAGE, scratch);
        } catch (e) {
          throw new CifarFormatError(shard.name, describeError(e), { record: row, unit: 'row', cause: e });
        }
        set.labels[filled + i] = label;
      }
      filled += take;
      rowBase += group.rows;
      tracker.addImages(take);
    }
  }
}

/**
 * Hugging Face parquet files (`img` = {bytes: PNG, path}, `label`) to one dataset, through
 * hyparquet. Each split may be sharded; shards are read in name order. Rows keep the files' order.
 */
export async function readCifarParquet(files: CifarFile[], options: CifarReadOptions = {}, tracker = new ProgressTracker(options.onProgress)): Promise<CheckedDataset> {
  const bySplit: Record<Split, CifarFile[]> = { train: [], test: [] };
  for (const f of files) bySplit[parquetSplit(f.name)].push(f);
  for (const split of ['train', 'test'] as const) {
    if (bySplit[split].length === 0) throw new CifarFormatError(`${split}-*.parquet`, `missing; the parquet layout needs a ${split} file (got ${files.map((f) => f.name).join(', ')})`);
    bySplit[split].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  const sizes = files.map((f) => knownSize(f.data));
  tracker.totalBytes = sizes.every((s) => s !== undefined) ? sizes.reduce((a, b) => a! + b!, 0) : undefined;
  const train = await Promise.all(bySplit.train.map(openParquet));
  const test = await Promise.all(bySplit.test.map(openParquet));
  const limit = options.limit ?? Infinity;
  const total = (shards: OpenParquet[]) => shards.reduce((n, s) => n + s.rows, 0);
  for (const [split, shards] of [['train', train], ['test', test]] as const) {
    if (Math.min(limit, total(shards)) > MAX_ROWS) throw new CifarFormatError(`${split}-*.parquet`, `the ${split} files hold more than the ${formatCount(MAX_ROWS)} images this reader can hold`);
  }
  const dataset: CheckedDataset = { train: emptySet(Math.min(limit, total(train))), test: emptySet(Math.min(limit, total(test))), verified: false };
  tracker.totalImages = dataset.train.count + dataset.test.count;
  await decodeRows(train, dataset.train, tracker);
  await decodeRows(test, dataset.test, tracker);
  dataset.verified = true;
  return dataset;
}
