/**
 * Decode-speed measurement on the official binary batches and on tar.gz / parquet files built from
 * them (cached under the output folder). Not part of the test suite:
 *   npm run bench:data -- ../shared/data/cifar-10 [/tmp/cifar-bench]
 * The parquet files mimic `uoft-cs/cifar10`: zlib-compressed PNGs, snappy pages, 100-row row
 * groups, the image column dictionary-encoded with a PLAIN fallback. DuckDB then rewrites them with
 * ZSTD pages, as an independent writer's files.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadCifarFolder } from '../../src/cli/cifar-folder';
import { writeBinaryBatch } from '../../tests/fixtures/binary-writer';
import { compress, type Images } from '../../tests/fixtures/images';
import { writeHfParquet } from '../../tests/fixtures/parquet-writer';
import { encodePng } from '../../tests/fixtures/png-writer';
import { writeTar } from '../../tests/fixtures/tar-writer';
import { readCifarFiles } from '../../src/lib/data/formats';
import type { ImageSet } from '../../src/lib/data/image-set';

const NAMES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'];

async function time<T>(label: string, images: number, fn: () => Promise<T>): Promise<T> {
  const t = performance.now();
  const out = await fn();
  const s = (performance.now() - t) / 1000;
  console.log(`${label.padEnd(44)} ${s.toFixed(2).padStart(6)} s  ${Math.round(images / s).toString().padStart(7)} images/s`);
  return out;
}

function asImages(set: ImageSet): Images {
  return { nhwc: set.images, labels: set.labels, count: set.count };
}

async function pngsOf(set: ImageSet): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (let i = 0; i < set.count; i += 64) {
    const n = Math.min(64, set.count - i);
    out.push(...(await Promise.all(Array.from({ length: n }, (_, k) => encodePng(set.images.subarray((i + k) * 3072, (i + k + 1) * 3072))))));
  }
  return out;
}

/** DuckDB's copy of a parquet file, rows in the same order, pages compressed with ZSTD. */
async function rewriteWithDuckDb(from: string, to: string): Promise<void> {
  // Loaded only when the files are built: DuckDB's native library would otherwise sit in every
  // timed run's process.
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run(`COPY (SELECT img, label FROM read_parquet('${from}')) TO '${to}' (FORMAT parquet, COMPRESSION zstd)`);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function main(): Promise<void> {
  const usage = 'usage: npm run bench:data -- <dir with the .bin batches> [work dir]';
  let positionals: string[];
  try {
    ({ positionals } = parseArgs({ allowPositionals: true, options: {} }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
  const [dir, work = '/tmp/cifar-bench'] = positionals;
  if (!dir || positionals.length > 2) {
    console.error(usage);
    process.exit(2);
  }
  const reference = await time('binary batches, folder (disk Blobs)', 60_000, () => loadCifarFolder(dir));
  const arrays = await Promise.all(NAMES.map(async (n) => ({ name: n, data: new Uint8Array(await readFile(join(dir, n))) })));
  await time('binary batches, in-memory Uint8Arrays', 60_000, () => readCifarFiles(arrays));

  await mkdir(join(work, 'tgz'), { recursive: true });
  const tgz = join(work, 'tgz', 'cifar-10-binary.tar.gz');
  if (!existsSync(tgz)) {
    const tar = writeTar(arrays.map((a) => ({ name: `cifar-10-batches-bin/${a.name}`, data: a.data })));
    await writeFile(tgz, await compress(tar, 'gzip'));
  }
  await time('cifar-10-binary.tar.gz, folder (streamed)', 60_000, () => loadCifarFolder(join(work, 'tgz')));
  await time('cifar-10-binary.tar.gz, limit 1000', 2_000, () => loadCifarFolder(join(work, 'tgz'), { limit: 1000 }));

  const hf = join(work, 'hf');
  await mkdir(hf, { recursive: true });
  for (const [split, set] of [['train', reference.train], ['test', reference.test]] as const) {
    const path = join(hf, `${split}-00000-of-00001.parquet`);
    if (existsSync(path)) continue;
    const pngs = await pngsOf(set);
    const rows = Array.from({ length: Math.ceil(set.count / 100) }, () => 100);
    await writeFile(path, await writeHfParquet(pngs, Array.from(set.labels), { rowGroups: rows, imagePages: 'dict-then-plain' }));
  }
  const parquet = await time('HF parquet (snappy, PNG), folder', 60_000, () => loadCifarFolder(hf));
  await time('HF parquet, limit 1000', 2_000, () => loadCifarFolder(hf, { limit: 1000 }));

  const duck = join(work, 'duckdb');
  await mkdir(duck, { recursive: true });
  for (const split of ['train', 'test']) {
    const path = join(duck, `${split}-00000-of-00001.parquet`);
    if (!existsSync(path)) await rewriteWithDuckDb(join(hf, `${split}-00000-of-00001.parquet`), path);
  }
  const duckdb = await time('DuckDB parquet (zstd, PNG), folder', 60_000, () => loadCifarFolder(duck));
  // Rows were written in the binary order, so the decoded pixels must match the reference exactly.
  const same = (a: ImageSet, b: Images) => a.images.every((v, i) => v === b.nhwc[i]) && a.labels.every((v, i) => v === b.labels[i]);
  const matches = (set: { train: ImageSet; test: ImageSet }) => same(set.train, asImages(reference.train)) && same(set.test, asImages(reference.test));
  console.log('parquet pixels equal the binary batches:', matches(parquet));
  console.log('DuckDB parquet pixels equal the binary batches:', matches(duckdb));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
