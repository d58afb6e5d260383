/**
 * Our four networks as a tfjs user would write them: tf.LayersModel graphs of conv2d,
 * batchNormalization, activation, maxPooling2d and dense layers, with the same widths, the same
 * trainable parameters and the same BatchNorm settings as src/lib/train/models (except airbench's
 * frozen BN scales, which tfjs-layers cannot express in training: see airbench below). The weights are
 * tfjs's default initializers (the benchmark times steps; it does not train to accuracy), and
 * airbench's frozen whitening conv is randomly initialized rather than computed from the data.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelName } from '../../src/lib/recipe/hyperparameters';
import { scaled } from '../../src/lib/train/models/layers';

type Sym = tf.SymbolicTensor;
const IMAGE: [number, number, number] = [32, 32, 3];
const CLASSES = 10;

/** A learnable per-channel bias: airbench's whitening conv is frozen but its bias learns. */
class ChannelBias extends tf.layers.Layer {
  static className = 'TabTuneChannelBias';
  private bias?: tf.LayerVariable;

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = inputShape as tf.Shape;
    this.bias = this.addWeight('bias', [shape[shape.length - 1]!], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.add(Array.isArray(inputs) ? inputs[0] : inputs, this.bias!.read());
  }

  override getClassName(): string {
    return ChannelBias.className;
  }
}

const conv = (x: Sym, filters: number, options: { kernel?: number; stride?: number; padding?: 'same' | 'valid'; bias?: boolean; trainable?: boolean } = {}): Sym =>
  tf.layers
    .conv2d({ filters, kernelSize: options.kernel ?? 3, strides: options.stride ?? 1, padding: options.padding ?? 'same', useBias: options.bias ?? false, trainable: options.trainable ?? true })
    .apply(x) as Sym;
/** PyTorch's BN momentum m is Keras's 1 − m. */
const bn = (x: Sym, options: { torchMomentum?: number } = {}): Sym =>
  tf.layers.batchNormalization({ momentum: 1 - (options.torchMomentum ?? 0.1), epsilon: 1e-5 }).apply(x) as Sym;
const act = (x: Sym, activation: 'relu' | 'gelu'): Sym => tf.layers.activation({ activation }).apply(x) as Sym;
const pool2 = (x: Sym): Sym => tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }).apply(x) as Sym;
const add = (a: Sym, b: Sym): Sym => tf.layers.add().apply([a, b]) as Sym;
const dense = (x: Sym, bias: boolean): Sym => tf.layers.dense({ units: CLASSES, useBias: bias }).apply(x) as Sym;
const rescale = (x: Sym, scale: number): Sym => tf.layers.rescaling({ scale }).apply(x) as Sym;
const globalMax = (x: Sym): Sym => tf.layers.globalMaxPooling2d({}).apply(x) as Sym;

function resnet9(width: number): tf.LayersModel {
  const [c1, c2, c3, c4] = [64, 128, 256, 512].map((c) => scaled(c, width));
  const input = tf.input({ shape: IMAGE });
  const unit = (x: Sym, c: number, pooled = false) => act(bn(pooled ? pool2(conv(x, c)) : conv(x, c)), 'relu');
  const residual = (x: Sym, c: number) => add(x, unit(unit(x, c), c));
  let x = unit(input, c1);
  x = residual(unit(x, c2, true), c2);
  x = unit(x, c3, true);
  x = residual(unit(x, c4, true), c4);
  return tf.model({ inputs: input, outputs: rescale(dense(globalMax(x), false), 0.125), name: 'resnet9' });
}

function airbench(width: number): tf.LayersModel {
  const input = tf.input({ shape: IMAGE });
  const whitened = conv(input, 24, { kernel: 2, padding: 'valid', trainable: false });
  let x = act(new ChannelBias({}).apply(whitened) as Sym, 'gelu');
  // airbench freezes BN scales at 1, but tfjs-layers cannot train a BatchNormalization without a
  // scale (its training path reads gamma unconditionally), so here the scales learn: 2 × (c1 + c2 + c3)
  // more trainable parameters and their (small) gradients.
  const norm = (y: Sym) => bn(y, { torchMomentum: 0.6 });
  for (const c of [64, 256, 256].map((c) => scaled(c, width))) {
    x = act(norm(pool2(conv(x, c))), 'gelu');
    x = act(norm(conv(x, c)), 'gelu');
  }
  return tf.model({ inputs: input, outputs: rescale(dense(globalMax(x), false), 1 / 9), name: 'airbench' });
}

function resnet18(width: number): tf.LayersModel {
  const widths = [64, 128, 256, 256].map((c) => scaled(c, width));
  const input = tf.input({ shape: IMAGE });
  let x = conv(input, widths[0]);
  let inChannels = widths[0];
  widths.forEach((out, stage) => {
    for (let b = 0; b < 2; b++) {
      const stride = stage > 0 && b === 0 ? 2 : 1;
      const a = act(bn(x), 'relu');
      const skip = stride !== 1 || inChannels !== out ? conv(a, out, { kernel: 1, stride, padding: 'valid' }) : x;
      // Symmetric padding of 1 at stride 2, as the engine (and PyTorch) pads.
      const h = stride === 1 ? conv(a, out) : conv(tf.layers.zeroPadding2d({ padding: 1 }).apply(a) as Sym, out, { stride, padding: 'valid' });
      x = add(conv(act(bn(h), 'relu'), out), skip);
      inChannels = out;
    }
  });
  const pooled = tf.layers.concatenate().apply([tf.layers.globalAveragePooling2d({}).apply(x) as Sym, globalMax(x)]) as Sym;
  return tf.model({ inputs: input, outputs: dense(pooled, true), name: 'resnet18' });
}

function tinyCnn(channels: number): tf.LayersModel {
  const input = tf.input({ shape: IMAGE });
  const h1 = act(conv(input, channels, { stride: 2, bias: true }), 'relu');
  const h2 = act(conv(h1, 2 * channels, { stride: 2, bias: true }), 'relu');
  return tf.model({ inputs: input, outputs: dense(tf.layers.globalAveragePooling2d({}).apply(h2) as Sym, true), name: 'tiny-cnn' });
}

/** `width` as createModel takes it: a multiplier, or tiny-cnn's first conv's channel count. */
export function createLayersModel(name: ModelName, width: number): tf.LayersModel {
  switch (name) {
    case 'resnet9':
      return resnet9(width);
    case 'airbench':
      return airbench(width);
    case 'resnet18':
      return resnet18(width);
    case 'tiny-cnn':
      return tinyCnn(width);
  }
}

/** Trainable weights, as countParams counts the engine's. */
export function countLayersParams(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((sum, w) => sum + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
}
