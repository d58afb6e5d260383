import { CLASSES, PIXELS_PER_IMAGE, type ImageDataset, type ImageSet } from '../image-set';
import { baseName, emptySet } from './binary-batch';
import { CifarFormatError, describeError, formatCount } from './errors';
import { readColumnChunk, type ChunkContext } from './parquet-column';
import { CODEC_NAMES, PhysicalType, SUPPORTED_CODECS, TYPE_NAMES, readParquetMeta, type LeafColumn, type ParquetMeta } from './parquet-meta';
import { decodePngInto } from './png';
import { ProgressTracker } from './progress';
import { knownSize, toRandomAccess, type RandomAccess } from './sources';
import type { CifarFile, CifarReadOptions } from './types';

/** Hugging Face's `uoft-cs/cifar10` names the image struct `img`; other CIFAR exports use `image`. */
const IMAGE_COLUMNS = ['img.bytes', 'image.bytes'];
const LABEL_COLUMNS = ['label'];

interface OpenParquet {
  name: string;
  source: RandomAccess;
  meta: ParquetMeta;
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

function pick(file: string, meta: ParquetMeta, names: string[], what: string): LeafColumn {
  for (const n of names) {
    const c = meta.columns.get(n);
    if (c) return c;
  }
  throw new CifarFormatError(file, `no ${what} column ${names.join(' or ')} (columns: ${[...meta.columns.keys()].join(', ') || 'none'})`);
}

/** Footer, schema and codec checks, before any row is decoded, so a wrong file fails at once. */
export async function openParquet(file: CifarFile): Promise<OpenParquet> {
  const source = await toRandomAccess(file.data);
  const meta = await readParquetMeta(file.name, source);
  const image = pick(file.name, meta, IMAGE_COLUMNS, 'image');
  const label = pick(file.name, meta, LABEL_COLUMNS, 'label');
  if (image.type !== PhysicalType.BYTE_ARRAY) throw new CifarFormatError(file.name, `column ${image.path} is ${TYPE_NAMES[image.type] ?? image.type}, expected BYTE_ARRAY (PNG bytes)`);
  if (label.type !== PhysicalType.INT64 && label.type !== PhysicalType.INT32) {
    throw new CifarFormatError(file.name, `column label is ${TYPE_NAMES[label.type] ?? label.type}, expected INT64 or INT32`);
  }
  meta.rowGroups.forEach((rg, i) => {
    for (const column of [image, label]) {
      const chunk = rg.chunks.get(column.path);
      if (!chunk) throw new CifarFormatError(file.name, `row group ${i} has no data for column ${column.path}`);
      if (!SUPPORTED_CODECS.has(chunk.codec)) {
        throw new CifarFormatError(file.name, `column ${column.path} uses ${CODEC_NAMES[chunk.codec] ?? `codec ${chunk.codec}`} compression, which is not supported (UNCOMPRESSED, SNAPPY and GZIP are)`);
      }
    }
  });
  const rows = meta.rowGroups.reduce((n, rg) => n + rg.numRows, 0);
  if (rows !== meta.numRows) throw new CifarFormatError(file.name, `row groups hold ${formatCount(rows)} rows but the footer says ${formatCount(meta.numRows)}`);
  return { name: file.name, source, meta, image, label };
}

/** Decodes rows (up to the set's size) from the shards in order into `set`. */
async function decodeRows(shards: OpenParquet[], set: ImageSet, tracker: ProgressTracker): Promise<void> {
  let filled = 0;
  const scratch = new Uint8Array(32 * (1 + 32 * 4));
  for (const shard of shards) {
    tracker.file = shard.name;
    let rowBase = 0;
    for (const [g, rg] of shard.meta.rowGroups.entries()) {
      const take = Math.min(rg.numRows, set.count - filled);
      if (take <= 0) return;
      const read = async (column: LeafColumn) => {
        const chunk = rg.chunks.get(column.path)!;
        const ctx: ChunkContext = { file: shard.name, where: `row group ${g}, column ${column.path}` };
        const bytes = await shard.source.read(chunk.start, chunk.length);
        if (bytes.length < chunk.length) throw new CifarFormatError(shard.name, `${ctx.where}: file ends inside the column chunk; truncated`);
        tracker.addBytes(bytes.length);
        return readColumnChunk(ctx, bytes, column, chunk, rg.numRows);
      };
      const labels = await read(shard.label);
      const images = await read(shard.image);
      let li = 0;
      let ii = 0;
      for (let i = 0; i < take; i++) {
        const row = rowBase + i;
        const labelDefined = labels.defs[i] === shard.label.maxDef;
        const label = labelDefined ? (labels.values[li++] as number) : undefined;
        if (label === undefined) throw new CifarFormatError(shard.name, 'label is null', { record: row, unit: 'row' });
        if (!(label >= 0 && label < CLASSES)) {
          throw new CifarFormatError(shard.name, `label ${label} is out of range (expected 0–${CLASSES - 1})`, { record: row, unit: 'row' });
        }
        if (images.defs[i] !== shard.image.maxDef) throw new CifarFormatError(shard.name, `image (${shard.image.path}) is null`, { record: row, unit: 'row' });
        const png = images.values[ii++] as Uint8Array;
        try {
          decodePngInto(png, set.images, (filled + i) * PIXELS_PER_IMAGE, scratch);
        } catch (e) {
          throw new CifarFormatError(shard.name, describeError(e), { record: row, unit: 'row', cause: e });
        }
        set.labels[filled + i] = label;
      }
      filled += take;
      rowBase += rg.numRows;
      tracker.addImages(take);
    }
  }
}

/**
 * Hugging Face parquet files (`img` = {bytes: PNG, path}, `label`) to one dataset. Each split may
 * be sharded; shards are read in name order. Rows keep the files' order.
 */
export async function readCifarParquet(files: CifarFile[], options: CifarReadOptions = {}, tracker = new ProgressTracker(options.onProgress)): Promise<ImageDataset> {
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
  const count = (shards: OpenParquet[]) => Math.min(limit, shards.reduce((n, s) => n + s.meta.numRows, 0));
  const dataset: ImageDataset = { train: emptySet(count(train)), test: emptySet(count(test)) };
  tracker.totalImages = dataset.train.count + dataset.test.count;
  await decodeRows(train, dataset.train, tracker);
  await decodeRows(test, dataset.test, tracker);
  return dataset;
}
