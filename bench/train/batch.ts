/**
 * `npm run bench:batch`: what building one training batch costs, the loop's own `trainingBatch`
 * with tfjs's ops (`stock`: bytes uploaded, normalized, augmented and one-hot encoded per step)
 * against the resident training set and the assembly kernel (`custom`), in Node on Dawn.
 *   npm run bench:batch -- [--batches 8,256] [--images 2048] [--repetitions 20]
 * Per path: dispatches per batch, JavaScript time to enqueue a batch, and wall time per batch with
 * the device's work waited for (the batches of a block queued back to back, the last one read).
 * The paths alternate (stock, custom, stock, custom); each figure is the better of the two blocks.
 */
import * as tf from '@tensorflow/tfjs';
import { readFlags, UsageError } from '../../src/cli/args';
import { makeSyntheticSet } from '../../src/lib/data/synthetic';
import { readTrainConfig } from '../../src/lib/recipe/hyperparameters';
import { createRng } from '../../src/lib/rng';
import { drawPlacement } from '../../src/lib/train/augment';
import { useKernels } from '../../src/lib/train/kernels/registry';
import { trainingBatch } from '../../src/lib/train/training-batch';

const USAGE = 'Usage: npm run bench:batch -- [--batches 8,256] [--images 2048] [--repetitions 20]';
let flags: Record<string, string | boolean | undefined> = {};
try {
  ({ values: flags } = readFlags(process.argv.slice(2), { batches: { type: 'string' }, images: { type: 'string' }, repetitions: { type: 'string' } }));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`bench:batch: ${error.message}.\n${USAGE}`);
  process.exit(2);
}
const batches = String(flags.batches ?? '8,256').split(',').map(Number);
const images = Number(flags.images ?? 2048);
const repetitions = Number(flags.repetitions ?? 20);
if (![...batches, images, repetitions].every((n) => Number.isInteger(n) && n >= 1) || batches.some((b) => b > images)) {
  console.error(`bench:batch: --batches, --images and --repetitions take whole numbers ≥ 1, batches no larger than --images.\n${USAGE}`);
  process.exit(2);
}

await import('../../src/cli/node-gpu');
await import('@tensorflow/tfjs-backend-webgpu');
if (!(await tf.setBackend('webgpu'))) {
  console.error('bench:batch: the webgpu backend did not start.');
  process.exit(1);
}
await tf.ready();
const backend = tf.backend() as unknown as { recordAndSubmit(...args: unknown[]): void };
const record = backend.recordAndSubmit;
let dispatches = 0;
backend.recordAndSubmit = function (...args: unknown[]) {
  dispatches++;
  return record.apply(this, args);
};

// resnet9's augmentation (shifts of up to 4 pixels, random flips, 8-pixel cutout).
const config = readTrainConfig({ model: 'resnet9', data: 'cifar10' });
const set = makeSyntheticSet(images, 1);
console.log(`bench:batch in node on Dawn: ${images} images, resnet9's augmentation (crop_pad ${config.cropPad}, flip ${config.flip}, cutout ${config.cutout}), ${repetitions} batches per block`);

async function block(kernels: 'stock' | 'custom', batch: number): Promise<{ dispatches: number; jsMs: number; wallMs: number }> {
  useKernels(kernels);
  const rng = createRng(batch);
  const flipState = new Uint8Array(images);
  // The first batch uploads the resident set (custom) and compiles pipelines: not timed.
  const first = trainingBatch(set, [0], drawPlacement(rng, [0], 1, config, flipState, 32));
  await first.images.data();
  tf.dispose([first.images, first.targets]);
  dispatches = 0;
  let jsMs = 0;
  let last: tf.Tensor | undefined;
  const start = performance.now();
  for (let r = 0; r < repetitions; r++) {
    const indices = Array.from({ length: batch }, () => rng.int(images));
    const placement = drawPlacement(rng, indices, 1, config, flipState, 32);
    const t = performance.now();
    const built = trainingBatch(set, indices, placement);
    jsMs += performance.now() - t;
    last?.dispose();
    built.targets.dispose();
    last = built.images;
  }
  await last!.data();
  last!.dispose();
  return { dispatches: dispatches / repetitions, jsMs: jsMs / repetitions, wallMs: (performance.now() - start) / repetitions };
}

for (const batch of batches) {
  const best: Record<string, { dispatches: number; jsMs: number; wallMs: number }> = {};
  for (const kernels of ['stock', 'custom', 'stock', 'custom'] as const) {
    const result = await block(kernels, batch);
    const seen = best[kernels];
    best[kernels] = seen ? { dispatches: result.dispatches, jsMs: Math.min(seen.jsMs, result.jsMs), wallMs: Math.min(seen.wallMs, result.wallMs) } : result;
  }
  for (const kernels of ['stock', 'custom']) {
    const { dispatches: d, jsMs, wallMs } = best[kernels];
    console.log(`  batch ${batch} ${kernels}: ${d} dispatches, ${jsMs.toFixed(2)} ms JavaScript, ${wallMs.toFixed(1)} ms wall per batch`);
  }
  console.log(`  batch ${batch}: custom/stock wall ${(best.custom.wallMs / best.stock.wallMs).toFixed(3)}, JavaScript ${(best.custom.jsMs / best.stock.jsMs).toFixed(3)}`);
}
useKernels('stock');
