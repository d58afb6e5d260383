/**
 * Node-only: loads CIFAR-10 from a folder holding any one of the supported layouts, using the same
 * readers as the browser. Files are opened as disk-backed Blobs, so a limit or the parquet reader's
 * row-group reads only touch the bytes they need.
 *
 *   npx tsx src/cli/cifar-folder.ts <dir> [limit]   prints counts and timing
 */
import { openAsBlob } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CifarFormatError, batchRole, layoutOf, readCifarFiles, type CifarFile, type CifarReadOptions } from '../lib/data/formats';
import type { ImageDataset } from '../lib/data/image-set';
import { readFlags } from './args';

export type CifarFolderOptions = CifarReadOptions;

async function listFiles(dir: string): Promise<string[]> {
  try {
    const names = await readdir(dir);
    const out: string[] = [];
    for (const name of names) if ((await stat(join(dir, name))).isFile()) out.push(name);
    return out.sort();
  } catch {
    return [];
  }
}

/** The data files of the first layout found: binary batches, then a tar.gz, then parquet files. */
export async function findCifarFiles(dir: string): Promise<string[]> {
  // The official archive unpacks to cifar-10-batches-bin/; a Hugging Face clone keeps plain_text/.
  const places = [dir, join(dir, 'cifar-10-batches-bin'), join(dir, 'plain_text')];
  const listed = await Promise.all(places.map(async (p) => ({ dir: p, names: await listFiles(p) })));
  for (const { dir: p, names } of listed) {
    const batches = names.filter((n) => batchRole(n));
    if (batches.length > 0) return batches.map((n) => join(p, n));
  }
  for (const { dir: p, names } of listed) {
    const archives = names.filter((n) => safeLayout(n) === 'tar.gz');
    if (archives.length > 0) return archives.map((n) => join(p, n));
  }
  for (const { dir: p, names } of listed) {
    const parquet = names.filter((n) => safeLayout(n) === 'parquet');
    if (parquet.length > 0) return parquet.map((n) => join(p, n));
  }
  throw new CifarFormatError(
    dir,
    'no CIFAR-10 data found (looked for data_batch_1..5.bin + test_batch.bin, a .tar.gz, or train/test .parquet files, also in cifar-10-batches-bin/ and plain_text/)',
  );
}

function safeLayout(name: string): ReturnType<typeof layoutOf> {
  try {
    return layoutOf(name);
  } catch {
    return null;
  }
}

export async function loadCifarFolder(dir: string, options: CifarFolderOptions = {}): Promise<ImageDataset> {
  const paths = await findCifarFiles(dir);
  const files: CifarFile[] = await Promise.all(paths.map(async (path) => ({ name: path, data: (await openAsBlob(path)) as unknown as Blob })));
  return readCifarFiles(files, options);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  let args: string[] = [];
  try {
    args = readFlags(process.argv.slice(2), {}, { positionals: true }).positionals;
  } catch (error) {
    console.error(`${(error as Error).message}.`);
  }
  const [dir, limit] = args;
  if (!dir || args.length > 2) {
    console.error('usage: tsx src/cli/cifar-folder.ts <dir> [limit]');
    process.exit(2);
  }
  if (limit !== undefined && !(Number.isSafeInteger(Number(limit)) && Number(limit) >= 1)) {
    console.error(`limit must be a whole number ≥ 1; got ${limit}.`);
    process.exit(2);
  }
  const started = performance.now();
  loadCifarFolder(dir, { limit: limit === undefined ? undefined : Number(limit) }).then(
    (data) => {
      const seconds = (performance.now() - started) / 1000;
      const images = data.train.count + data.test.count;
      console.log(`${dir}: train ${data.train.count}, test ${data.test.count} images in ${seconds.toFixed(2)} s (${Math.round(images / seconds)} images/s)`);
    },
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    },
  );
}
