/**
 * The training steps the benchmark and the profile time, one per engine, runnable in Node and in
 * a page alike (no Node imports). Each runner owns its model and optimizer; `step` enqueues one
 * full training step and returns its loss without reading it back.
 */
import * as tf from '@tensorflow/tfjs';
import { CLASSES } from '../../src/lib/data/image-set';
import { makeSyntheticSet } from '../../src/lib/data/synthetic';
import { readTrainConfig, type ModelName } from '../../src/lib/recipe/hyperparameters';
import { range } from '../../src/lib/range';
import { createRng } from '../../src/lib/rng';
import { drawPlacement } from '../../src/lib/train/augment';
import { CIFAR_MEAN, CIFAR_STD } from '../../src/lib/train/batch';
import { countParams, createModel } from '../../src/lib/train/models';
import { scaled } from '../../src/lib/train/models/layers';
import { useKernels } from '../../src/lib/train/kernels/registry';
import { SgdMomentum } from '../../src/lib/train/optimizer';
import { Lookahead } from '../../src/lib/train/ema';
import { evaluateAccuracy } from '../../src/lib/train/evaluate';
import { batchLoss, trainingBatch } from '../../src/lib/train/training-batch';
import { countLayersParams, createLayersModel } from './layers-model';
import type { EngineName } from './options';

export interface Runner {
  readonly params: number;
  step(): tf.Scalar;
  /** The recipe's lookahead update (the loop runs it every LOOKAHEAD_EVERY steps), where the model's recipe has one; not part of `step`. */
  lookahead?(): void;
  /** One evaluation pass over the step's batch with the recipe's TTA, as the loop evaluates; not part of `step`. */
  evaluate?(): Promise<number>;
  dispose(): void;
}

const LR = 0.01;
const MOMENTUM = 0.9;

/** The width createModel takes: the multiplier, except tiny-cnn, whose width is its first conv's channels (64 × multiplier). */
export function modelWidth(name: ModelName, width: number): number {
  return name === 'tiny-cnn' ? scaled(64, width) : width;
}

export async function createRunner(engine: EngineName, name: ModelName, width: number, batch: number): Promise<Runner> {
  switch (engine) {
    case 'stock':
      return engineRunner(name, width, batch, 'stock');
    case 'custom':
      return engineRunner(name, width, batch, 'custom');
    case 'tfjs-layers':
      return layersRunner(name, width, batch);
  }
}

/**
 * This engine's training step as the loop runs it (the loop's own `trainingBatch` and `batchLoss`):
 * the batch normalized and augmented on the device, forward, backward and the Nesterov SGD update
 * with decoupled weight decay; on tfjs's kernels (`stock`: the bytes uploaded each step) or with the
 * engine's own where they apply (`custom`, on webgpu: everything `useKernels('custom')` and
 * `customKernelsActive()` switch on, see src/lib/train/kernels/registry.ts).
 */
async function engineRunner(name: ModelName, width: number, batch: number, kernels: 'custom' | 'stock'): Promise<Runner> {
  const set = makeSyntheticSet(batch, 1);
  const config = readTrainConfig({ model: name, data: 'cifar10', width: modelWidth(name, width), batch_size: batch });
  const model = await createModel(name, config.width, 1, set);
  const optimizer = new SgdMomentum(model.params.map((p) => ({ variable: p.variable, lrScale: 1 })), { nesterov: true, weightDecay: config.weightDecay, kernels });
  const rng = createRng(1);
  const indices = range(0, batch);
  const flipState = new Uint8Array(batch);
  const lookahead = config.lookahead ? new Lookahead([...model.params.map((p) => p.variable), ...model.buffers], { kernels }) : undefined;
  return {
    params: countParams(model),
    lookahead: lookahead
      ? () => {
          useKernels(kernels);
          lookahead.update(0.5);
        }
      : undefined,
    evaluate() {
      useKernels(kernels);
      return evaluateAccuracy(model, set, batch, config.tta);
    },
    step() {
      // Engines run interleaved: each step puts its own kernels in place (a no-op when they already are).
      useKernels(kernels);
      const placement = drawPlacement(rng, indices, 1, config, flipState, 32);
      const batch = trainingBatch(set, indices, placement);
      const loss = optimizer.step(() => batchLoss(model, batch, config.labelSmoothing), LR, MOMENTUM);
      tf.dispose([batch.images, batch.targets]);
      return loss;
    },
    dispose() {
      lookahead?.dispose();
      optimizer.dispose();
      model.dispose();
    },
  };
}

/**
 * The same network as a tf.LayersModel, trained the way the tfjs guides do: a float32 batch
 * uploaded each step, `model.apply(x, {training: true})`, softmax cross-entropy, and
 * tf.train.momentum (Nesterov) through optimizer.minimize. No augmentation.
 */
async function layersRunner(name: ModelName, width: number, batch: number): Promise<Runner> {
  const set = makeSyntheticSet(batch, 1);
  const pixels = new Float32Array(set.images.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (set.images[i] - CIFAR_MEAN[i % 3]) / CIFAR_STD[i % 3];
  const labels = Int32Array.from(set.labels);
  const model = createLayersModel(name, modelWidth(name, width));
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = tf.train.momentum(LR, MOMENTUM, true);
  return {
    params: countLayersParams(model),
    step() {
      // The plain tfjs user's baseline: never the engine's own kernels.
      useKernels('stock');
      const x = tf.tensor4d(pixels, [batch, 32, 32, 3]);
      const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), CLASSES));
      const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true, variables)!;
      tf.dispose([x, y]);
      return loss;
    },
    dispose() {
      optimizer.dispose();
      model.dispose();
    },
  };
}

/** Runs `steps` steps back to back, waits for the last loss (so the GPU has finished) and returns ms per step. */
export async function timeSteps(runner: Runner, steps: number): Promise<number> {
  const start = performance.now();
  let loss: tf.Scalar | undefined;
  for (let s = 0; s < steps; s++) {
    loss?.dispose();
    loss = runner.step();
  }
  await loss!.data();
  loss!.dispose();
  return (performance.now() - start) / steps;
}

/** What the backend says about its adapter, for the rows. */
export function adapterName(): string {
  if (tf.getBackend() === 'webgpu') {
    const info = (tf.backend() as unknown as { adapterInfo?: { vendor?: string; architecture?: string } }).adapterInfo;
    return [info?.vendor, info?.architecture].filter(Boolean).join(' ') || 'unknown';
  }
  if (tf.getBackend() === 'webgl') {
    const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGLRenderingContext } }).gpgpu?.gl;
    if (!gl) return 'unknown';
    // The unmasked renderer names the driver (SwiftShader here); RENDERER alone says only "WebKit WebGL".
    const debug = gl.getExtension('WEBGL_debug_renderer_info');
    return String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  }
  return tf.getBackend();
}
