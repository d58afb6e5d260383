/**
 * Training throughput of each model at a small width, measured with the real training step
 * (augmentation, forward, backward, SGD update) on synthetic images:
 *   npm run bench:train -- [--backend webgpu|cpu] [--width 0.0625] [--batch 32] [--steps 3] [--models resnet9,airbench,resnet18,tiny-cnn]
 * The first step (shader compilation, warm-up) is left out of the rate.
 */
import * as tf from '@tensorflow/tfjs';
import { augment, drawPlacement } from '../../src/lib/train/augment';
import { range } from '../../src/lib/range';
import { uploadImages, uploadLabels } from '../../src/lib/train/batch';
import { MODEL_NAMES, readTrainConfig, type ModelName } from '../../src/lib/recipe/hyperparameters';
import { CLASSES } from '../../src/lib/data/image-set';
import { countParams, createModel } from '../../src/lib/train/models';
import { SgdMomentum } from '../../src/lib/train/optimizer';
import { makeSyntheticSet } from '../../src/lib/data/synthetic';
import { createRng } from '../../src/lib/rng';
import { readFlags, type FlagValues } from '../../src/cli/args';

const USAGE = 'Usage: npm run bench:train -- [--backend webgpu|cpu] [--width W] [--batch N] [--steps N] [--models a,b,...]';

function usageError(message: string): never {
  console.error(`bench:train: ${message}\n${USAGE}`);
  process.exit(2);
}

let flags: FlagValues = {};
try {
  ({ values: flags } = readFlags(process.argv.slice(2), { backend: { type: 'string' }, width: { type: 'string' }, batch: { type: 'string' }, steps: { type: 'string' }, models: { type: 'string' } }));
} catch (error) {
  usageError(`${(error as Error).message}.`);
}
const backend = (flags.backend as string | undefined) ?? 'webgpu';
const width = Number(flags.width ?? 1 / 16);
const batch = Number(flags.batch ?? 32);
const steps = Number(flags.steps ?? 3);
const models = ((flags.models as string | undefined) ?? 'tiny-cnn,resnet9,airbench,resnet18').split(',') as ModelName[];
if (backend !== 'webgpu' && backend !== 'cpu') usageError(`--backend must be webgpu or cpu; got ${backend}.`);
if (!(width > 0)) usageError(`--width must be above 0; got ${String(flags.width)}.`);
if (!Number.isInteger(batch) || batch < 1) usageError(`--batch must be a whole number ≥ 1; got ${String(flags.batch)}.`);
if (!Number.isInteger(steps) || steps < 1) usageError(`--steps must be a whole number ≥ 1; got ${String(flags.steps)}.`);
const unknownModels = models.filter((m) => !MODEL_NAMES.includes(m));
if (unknownModels.length) usageError(`unknown model ${unknownModels.join(', ')} (models: ${MODEL_NAMES.join(', ')}).`);

if (backend === 'webgpu') {
  await import('../../src/cli/node-gpu');
  await import('@tensorflow/tfjs-backend-webgpu');
}
await tf.setBackend(backend);
await tf.ready();
const set = makeSyntheticSet(batch, 1);
console.log(`backend ${backend}, width ${width} (tiny-cnn: 8 channels), batch ${batch}, ${steps} timed steps after one warm-up step`);
for (const name of models) {
  const config = readTrainConfig({ model: name, data: 'cifar10', width: name === 'tiny-cnn' ? 8 : width, batch_size: batch });
  const model = await createModel(name, config.width, 1, set);
  const optimizer = new SgdMomentum(model.params.map((p) => ({ variable: p.variable, lrScale: 1 })), { nesterov: true, weightDecay: config.weightDecay });
  const rng = createRng(1);
  const indices = range(0, batch);
  const step = async () => {
    const placement = drawPlacement(rng, indices, 1, config, new Uint8Array(batch), 32);
    const images = uploadImages(set, indices);
    const labels = uploadLabels(set, indices);
    const loss = optimizer.step(() => tf.losses.softmaxCrossEntropy(tf.oneHot(labels, CLASSES), model.forward(augment(images, placement), true)) as tf.Scalar, 0.01, 0.9);
    await loss.data();
    tf.dispose([images, labels, loss]);
  };
  await step();
  const start = performance.now();
  for (let s = 0; s < steps; s++) await step();
  const seconds = (performance.now() - start) / 1000;
  console.log(`${name.padEnd(9)} ${String(countParams(model)).padStart(8)} params  ${((steps * batch) / seconds).toFixed(1).padStart(7)} images/s  (${((seconds / steps) * 1000).toFixed(0)} ms/step)`);
  optimizer.dispose();
  model.dispose();
}
process.exit(0);
