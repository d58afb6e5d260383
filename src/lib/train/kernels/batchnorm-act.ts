import * as tf from '@tensorflow/tfjs';
import type { Activation } from './activation-wgsl';
import { batchNormActGrad, type Storage } from './batchnorm-backward';
import { normalize, normalizeWithRunning, packNormalized } from './batchnorm-forward';
import { batchStats, type RunningStats } from './batchnorm-stats';

export type { Activation } from './activation-wgsl';
export type { RunningStats } from './batchnorm-stats';

/**
 * Training-mode BatchNorm fused with its activation, on WebGPU: y = act(scale·(x − μ)/√(σ² + ε) + bias)
 * with the batch's μ and biased σ² over N·H·W. Forward: two dispatches of statistics (the second
 * also moving the running statistics), one of normalize+affine+activation (one more to pack x̂ as
 * halves with fp16 storage). Backward (a customGrad): three dispatches for dx, dscale and dbias,
 * where the tfjs composition ran about 17 forward and 40 backward with a transpose per reduction.
 */

export type ActivationStorage = Storage;

let defaultStorage: ActivationStorage = 'f32';

/**
 * What the fused BatchNorm keeps for its backward pass: x in f32 (x̂ recomputed, no extra memory
 * when x is kept anyway) or x̂ in f16 (half the bytes, one more dispatch). Set per trial from the
 * `activation_storage` hyperparameter.
 */
export function useActivationStorage(storage: ActivationStorage): void {
  defaultStorage = storage;
}

export function activationStorage(): ActivationStorage {
  return defaultStorage;
}

export interface BatchNormActOptions {
  /**
   * false: the scale is a frozen constant (airbench). It stays off the tape: the op's gradient is
   * taken for x and bias only, and nothing downstream of a scale gradient runs.
   */
  learnScale?: boolean;
  storage?: ActivationStorage;
  /** Running statistics to move by this batch's, in the statistics' own dispatch. */
  running?: RunningStats;
}

export interface BatchNormActResult {
  y: tf.Tensor4D;
  /** [2, C]: the batch mean (row 0) and biased variance (row 1), for the running statistics. */
  stats: tf.Tensor2D;
}

interface TapeState {
  isTapeOn?(): boolean;
}

export function batchNormAct(x: tf.Tensor4D, scale: tf.Tensor1D, bias: tf.Tensor1D, epsilon: number, activation: Activation, options: BatchNormActOptions = {}): BatchNormActResult {
  const learnScale = options.learnScale ?? true;
  // No gradient will be asked for outside a tape: skip packing a copy nothing would read.
  const taping = (tf.engine() as unknown as TapeState).isTapeOn?.() ?? true;
  const storage = taping ? (options.storage ?? defaultStorage) : 'f32';
  // Statistics are made outside the customGrad: the op's gradient already accounts for them, and
  // the caller needs them after it for the running statistics. They reach the backward pass saved.
  const stats = batchStats(x, options.running);
  const body = (xIn: tf.Tensor4D, scaleIn: tf.Tensor1D, biasIn: tf.Tensor1D, save: tf.GradSaveFunc) => {
    const y = normalize(xIn, stats, scaleIn, biasIn, epsilon, activation);
    const kept = storage === 'f16' ? packNormalized(xIn, stats, epsilon) : xIn;
    save([kept, stats, scaleIn, biasIn]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [tensor, s, g, b] = saved;
        const grads = batchNormActGrad(dy as tf.Tensor4D, { storage, tensor }, s, g, b, epsilon, activation);
        return learnScale ? [grads.dx, grads.dscale, grads.dbias] : [grads.dx, grads.dbias];
      },
    };
  };
  const y = learnScale
    ? tf.customGrad((xIn, scaleIn, biasIn, save) => body(xIn as tf.Tensor4D, scaleIn as tf.Tensor1D, biasIn as tf.Tensor1D, save as tf.GradSaveFunc))(x, scale, bias)
    : tf.customGrad((xIn, biasIn, save) => body(xIn as tf.Tensor4D, scale, biasIn as tf.Tensor1D, save as tf.GradSaveFunc))(x, bias);
  return { y: y as tf.Tensor4D, stats };
}

/**
 * Evaluation-mode BatchNorm fused with its activation: one dispatch with the running statistics,
 * where tfjs ran its BatchNorm kernel and then the activation's ops (GELU's five).
 */
export function batchNormActInference(x: tf.Tensor4D, mean: tf.Tensor1D, variance: tf.Tensor1D, scale: tf.Tensor1D, bias: tf.Tensor1D, epsilon: number, activation: Activation): tf.Tensor4D {
  return normalizeWithRunning(x, mean, variance, scale, bias, epsilon, activation);
}

/** The Kernels line's words for the fused BatchNorm. */
export function describeBatchNormAct(): string {
  const forward = defaultStorage === 'f16' ? '3 dispatches + 1 to pack x̂' : '3 dispatches';
  return `BatchNorm+activation fused (${forward} forward, running stats included; 3 backward; saved activations ${defaultStorage}; 1 in evaluation)`;
}
