/**
 * `npm run bench:tiles`: the three convolution kernels of a model timed layer by layer with several
 * tile configurations, in Node on Dawn, for choosing defaults. Per layer and kernel the candidates
 * run interleaved (one run of each, --reps times, after a warm-up run that compiles them), so load
 * from other processes falls on all of them alike; each figure is a median. Prints each layer's
 * times and, per kernel, every candidate's sum over the model's layers.
 *   npm run bench:tiles -- --tiles 64x32x8_8x4,128x32x8_8x8 [--models resnet9,airbench] [--width 0.125] [--batch 32] [--reps 5]
 * A tile is tileM x tileN x tileK _ threadM x threadN, fitted to each layer as the defaults are; a
 * trailing s asks for a square thread block where N fills the tile (GemmTiles.square).
 */
import * as tf from '@tensorflow/tfjs';
import { exitUsage, readFlags, UsageError } from '../../src/cli/args';
import { CHANNELS, IMAGE_SIZE } from '../../src/lib/data/image-set';
import { makeSyntheticSet } from '../../src/lib/data/synthetic';
import { MODEL_NAMES, readTrainConfig, type ModelName } from '../../src/lib/recipe/hyperparameters';
import { recordConvLayers } from '../../src/lib/train/kernels/conv-autotune';
import { fitFilterTiles, planFilterGemm, runFilterGrad } from '../../src/lib/train/kernels/conv-filter-grad';
import { fitForwardTiles, runForward } from '../../src/lib/train/kernels/conv-forward';
import { tilesKey, tilesProblem, type GemmBackend, type GemmTiles } from '../../src/lib/train/kernels/conv-gemm';
import { geometryKey, type ConvGeometry } from '../../src/lib/train/kernels/conv-geometry';
import { fitInputTiles, runInputGrad } from '../../src/lib/train/kernels/conv-input-grad';
import { createModel } from '../../src/lib/train/models';
import { modelWidth } from './engines';

const USAGE = 'Usage: npm run bench:tiles -- --tiles 64x32x8_8x4,128x32x8_8x8 [--models resnet9,airbench] [--width 0.125] [--batch 32] [--reps 5]';

let flags: Record<string, string | boolean | undefined> = {};
try {
  ({ values: flags } = readFlags(process.argv.slice(2), { models: { type: 'string' }, width: { type: 'string' }, batch: { type: 'string' }, tiles: { type: 'string' }, reps: { type: 'string' } }));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  exitUsage('bench:tiles', `${error.message}.`, USAGE);
}
const models = String(flags.models ?? 'resnet9,airbench').split(',') as ModelName[];
const width = Number(flags.width ?? 0.125);
const batch = Number(flags.batch ?? 32);
const reps = Number(flags.reps ?? 5);
if (models.some((m) => !(MODEL_NAMES as readonly string[]).includes(m))) exitUsage('bench:tiles', `unknown model in ${String(flags.models)}.`, USAGE);
if (!Number.isInteger(reps) || reps < 1) exitUsage('bench:tiles', `--reps must be a whole number ≥ 1; got ${String(flags.reps)}.`, USAGE);

function parseTiles(text: string): GemmTiles {
  const match = /^(\d+)x(\d+)x(\d+)_(\d+)x(\d+)(s?)$/.exec(text);
  if (!match) exitUsage('bench:tiles', `a tile is MxNxK_RMxRN; got ${text}.`, USAGE);
  const [tileM, tileN, tileK, threadM, threadN] = match.slice(1, 6).map(Number);
  const tiles = { tileM, tileN, tileK, threadM, threadN, fit: true, square: match[6] === 's' };
  const problem = tilesProblem(tiles);
  if (problem) exitUsage('bench:tiles', `${text}: ${problem}.`, USAGE);
  return tiles;
}
const candidates = String(flags.tiles ?? '').split(',').filter(Boolean).map(parseTiles);
if (candidates.length === 0) exitUsage('bench:tiles', 'name at least one tile with --tiles.', USAGE);

await import('../../src/cli/node-gpu');
await import('@tensorflow/tfjs-backend-webgpu');
if (!(await tf.setBackend('webgpu'))) {
  console.error('bench:tiles: the webgpu backend did not start.');
  process.exit(1);
}
await tf.ready();
const backend = tf.backend() as unknown as GemmBackend;

type Kernel = 'forward' | 'input' | 'filter';
const KERNELS: Kernel[] = ['forward', 'input', 'filter'];

/** A candidate as the layer runs it (fitted, then fixed), and the call that runs it. */
function runner(kernel: Kernel, g: ConvGeometry, t: GemmTiles, x: tf.Tensor, dy: tf.Tensor, filter: tf.Tensor): { tiles: GemmTiles; run: () => tf.TensorInfo } {
  if (kernel === 'forward') {
    const tiles = { ...fitForwardTiles(g, t), fit: false };
    return { tiles, run: () => runForward(backend, x, filter, g, tiles) };
  }
  if (kernel === 'input') {
    const tiles = { ...fitInputTiles(g, t), fit: false };
    return { tiles, run: () => runInputGrad(backend, dy, filter, g, tiles) };
  }
  const fitted = fitFilterTiles(g, { ...t, splitK: 'auto' });
  const tiles = { ...fitted, fit: false, splitK: planFilterGemm(g, fitted).splits };
  return { tiles, run: () => runFilterGrad(backend, x, dy, g, tiles) };
}

async function once(run: () => tf.TensorInfo): Promise<number> {
  const start = performance.now();
  const out = tf.engine().makeTensorFromTensorInfo(run());
  await out.data();
  out.dispose();
  return performance.now() - start;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

for (const name of models) {
  const config = readTrainConfig({ model: name, data: 'cifar10', width: modelWidth(name, width), batch_size: batch });
  const model = await createModel(name, config.width, 1, makeSyntheticSet(batch, 1));
  const layers = recordConvLayers(() => tf.tidy(() => void model.forward(tf.zeros([batch, IMAGE_SIZE, IMAGE_SIZE, CHANNELS]), false)));
  const sums = new Map<Kernel, number[]>(KERNELS.map((k) => [k, candidates.map(() => 0)]));
  for (const g of layers) {
    const x = tf.randomUniform(g.inShape, -1, 1, 'float32', 1);
    const dy = tf.randomUniform(g.outShape, -1, 1, 'float32', 2);
    const filter = tf.randomUniform(g.filterShape, -1, 1, 'float32', 3);
    for (const kernel of KERNELS) {
      const runs = candidates.map((t) => runner(kernel, g, t, x, dy, filter));
      for (const r of runs) await once(r.run);
      const times: number[][] = runs.map(() => []);
      for (let rep = 0; rep < reps; rep++) for (const [i, r] of runs.entries()) times[i].push(await once(r.run));
      const ms = times.map(median);
      ms.forEach((v, i) => (sums.get(kernel)![i] += v));
      console.log(`${name} ${kernel.padEnd(7)} ${geometryKey(g)}: ${runs.map((r, i) => `${tilesKey(r.tiles)} ${ms[i].toFixed(1)}`).join(' | ')}`);
    }
    tf.dispose([x, dy, filter]);
  }
  for (const [kernel, sum] of sums) console.log(`${name} ${kernel} sum over ${layers.length} layers: ${candidates.map((c, i) => `${tilesKey(c)}${c.square ? 's' : ''} ${sum[i].toFixed(1)} ms`).join(', ')}`);
  model.dispose();
}
