import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCifarFiles, loadCifarFolder } from '../../../../src/cli/cifar-folder';
import { writeBinaryFiles } from '../../../fixtures/binary-writer';
import { expectFormatError, expectSetEquals } from '../../../fixtures/assert';
import { imageAt, makeImages } from '../../../fixtures/images';
import { writeHfParquet } from '../../../fixtures/parquet-writer';
import { encodePng } from '../../../fixtures/png-writer';
import { writeTarGz } from '../../../fixtures/tar-writer';

const PER_BATCH = 2;
const train = makeImages(5 * PER_BATCH, 41);
const test = makeImages(PER_BATCH, 42);
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cifar-folder-'));
  const batches = writeBinaryFiles(train, test, PER_BATCH);
  await mkdir(join(root, 'bin', 'cifar-10-batches-bin'), { recursive: true });
  for (const f of batches) await writeFile(join(root, 'bin', 'cifar-10-batches-bin', f.name), f.data);
  await mkdir(join(root, 'tgz'));
  await writeFile(join(root, 'tgz', 'cifar-10-binary.tar.gz'), await writeTarGz(batches.map((f) => ({ name: `cifar-10-batches-bin/${f.name}`, data: f.data }))));
  await mkdir(join(root, 'hf', 'plain_text'), { recursive: true });
  for (const [split, images] of [['train', train], ['test', test]] as const) {
    const pngs = await Promise.all(Array.from({ length: images.count }, (_, n) => encodePng(imageAt(images, n))));
    await writeFile(join(root, 'hf', 'plain_text', `${split}-00000-of-00001.parquet`), await writeHfParquet(pngs, Array.from(images.labels)));
  }
  await mkdir(join(root, 'empty'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('loadCifarFolder', () => {
  it.each(['bin', 'tgz', 'hf'])('reads the %s layout', async (layout) => {
    const data = await loadCifarFolder(join(root, layout), { recordsPerBatch: PER_BATCH });
    expectSetEquals(data.train, train);
    expectSetEquals(data.test, test);
  });

  it.each(['bin', 'tgz', 'hf'])('reads only the first N images of the %s layout', async (layout) => {
    const data = await loadCifarFolder(join(root, layout), { recordsPerBatch: PER_BATCH, limit: 3 });
    expectSetEquals(data.train, train, 0, 3);
    expectSetEquals(data.test, test, 0, 2);
  });

  it('finds the batch files inside cifar-10-batches-bin/', async () => {
    expect((await findCifarFiles(join(root, 'bin'))).length).toBe(6);
  });

  it('names the folder when it holds no CIFAR-10 data', async () => {
    await expectFormatError(() => loadCifarFolder(join(root, 'empty')), join(root, 'empty'), /no CIFAR-10 data found/);
  });
});
