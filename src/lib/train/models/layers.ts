import * as tf from '@tensorflow/tfjs';
import { batchNormAct, batchNormActInference, type Activation } from '../kernels/batchnorm-act';
import { biasAct, type BiasActOptions } from '../kernels/bias-act';
import { customKernelsActive } from '../kernels/registry';
import type { ModelState, Pass, Ref } from './model';
import { activate, conv } from './ops';

/** Channels of a layer at a width multiplier, never below one. */
export function scaled(channels: number, width: number): number {
  return Math.max(1, Math.round(channels * width));
}

/** PyTorch's default init for convs and linear layers: uniform in ±1/√fan_in. */
export function defaultUniform(state: ModelState, shape: number[], fanIn: number): () => tf.Tensor {
  const bound = 1 / Math.sqrt(fanIn);
  const seed = state.nextSeed();
  return () => tf.randomUniform(shape, -bound, bound, 'float32', seed);
}

export function addConv(state: ModelState, size: number, inChannels: number, outChannels: number): Ref {
  return state.param(defaultUniform(state, [size, size, inChannels, outChannels], size * size * inChannels), 'weight');
}

export interface LinearRefs {
  weight: Ref;
  bias?: Ref;
}

export function addLinear(state: ModelState, inFeatures: number, outFeatures: number, withBias: boolean): LinearRefs {
  const weight = state.param(defaultUniform(state, [inFeatures, outFeatures], inFeatures), 'weight');
  return { weight, bias: withBias ? state.param(defaultUniform(state, [outFeatures], inFeatures), 'bias') : undefined };
}

export interface BatchNormRefs {
  /**
   * A trainable param, or, when the scale is frozen at 1 (airbench), a constant of ones made once:
   * off the gradient tape, so no step computes a scale gradient for it.
   */
  scale: Ref;
  bias: Ref;
  mean: Ref;
  variance: Ref;
  /** Weight of the new batch in the running statistics (PyTorch's convention). */
  momentum: number;
  epsilon: number;
}

export interface BatchNormOptions {
  learnScale?: boolean;
  momentum?: number;
  epsilon?: number;
}

export function addBatchNorm(state: ModelState, channels: number, options: BatchNormOptions = {}): BatchNormRefs {
  return {
    scale: options.learnScale === false ? state.constant(() => tf.ones([channels])) : state.param(() => tf.ones([channels]), 'bn-scale'),
    bias: state.param(() => tf.zeros([channels]), 'bn-bias'),
    mean: state.buffer(() => tf.zeros([channels])),
    variance: state.buffer(() => tf.ones([channels])),
    momentum: options.momentum ?? 0.1,
    epsilon: options.epsilon ?? 1e-5,
  };
}

/** Batch statistics while training (and the running ones updated from them), running statistics otherwise. */
export function batchNorm(pass: Pass, x: tf.Tensor4D, bn: BatchNormRefs): tf.Tensor4D {
  const bias = pass.read(bn.bias) as tf.Tensor1D;
  // tfjs's batchNorm gradient cannot save an absent scale, so a frozen one is a constant of ones.
  const scale = pass.read(bn.scale) as tf.Tensor1D;
  if (!pass.training) {
    return tf.batchNorm(x, pass.read(bn.mean) as tf.Tensor1D, pass.read(bn.variance) as tf.Tensor1D, bias, scale, bn.epsilon);
  }
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  const n = x.size / x.shape[3];
  tf.tidy(() => {
    const m = bn.momentum;
    // Running variance is the unbiased estimate, as in PyTorch.
    const unbiased = tf.mul(variance, n > 1 ? n / (n - 1) : 1);
    pass.write(bn.mean, tf.add(tf.mul(pass.read(bn.mean), 1 - m), tf.mul(mean, m)));
    pass.write(bn.variance, tf.add(tf.mul(pass.read(bn.variance), 1 - m), tf.mul(unbiased, m)));
  });
  return tf.batchNorm(x, mean as tf.Tensor1D, variance as tf.Tensor1D, bias, scale, bn.epsilon);
}

/**
 * BatchNorm then an activation. With the engine's own kernels they run fused (kernels/batchnorm-act.ts):
 * a training pass with the batch statistics, the running ones moved in its statistics dispatch; an
 * evaluation pass in one dispatch with the running statistics. Otherwise exactly `activate(batchNorm(...))`.
 */
export function bnAct(pass: Pass, x: tf.Tensor4D, bn: BatchNormRefs, activation: Activation): tf.Tensor4D {
  if (!customKernelsActive()) return activate(batchNorm(pass, x, bn), activation);
  const scale = pass.read(bn.scale) as tf.Tensor1D;
  const bias = pass.read(bn.bias) as tf.Tensor1D;
  if (!pass.training) {
    return batchNormActInference(x, pass.read(bn.mean) as tf.Tensor1D, pass.read(bn.variance) as tf.Tensor1D, scale, bias, bn.epsilon, activation);
  }
  const running = { mean: pass.buffer(bn.mean), variance: pass.buffer(bn.variance), momentum: bn.momentum };
  return batchNormAct(x, scale, bias, bn.epsilon, activation, { learnScale: bn.scale.kind === 'param', running }).y;
}

/**
 * act(x + bias), the bias per channel: the engine's fused kernel while its own kernels are in use
 * (any pass: there is no running state), tfjs ops otherwise.
 */
export function biasActivation(x: tf.Tensor4D, bias: tf.Tensor1D, activation: Activation, options: BiasActOptions = {}): tf.Tensor4D {
  if (customKernelsActive()) return biasAct(x, bias, activation, options);
  return activate(tf.add(x, bias), activation);
}

export interface ConvBnRefs {
  conv: Ref;
  bn: BatchNormRefs;
}

export function addConvBn(state: ModelState, inChannels: number, outChannels: number, bn: BatchNormOptions = {}): ConvBnRefs {
  return { conv: addConv(state, 3, inChannels, outChannels), bn: addBatchNorm(state, outChannels, bn) };
}

/** conv 3×3 → (optional 2×2 max-pool) → BatchNorm → activation. */
export function convBnAct(pass: Pass, x: tf.Tensor4D, refs: ConvBnRefs, activation: Activation, pool: (x: tf.Tensor4D) => tf.Tensor4D = (y) => y): tf.Tensor4D {
  return bnAct(pass, pool(conv(x, pass.read(refs.conv))), refs.bn, activation);
}
