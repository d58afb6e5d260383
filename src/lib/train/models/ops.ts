import * as tf from '@tensorflow/tfjs';
import type { Activation } from '../kernels/activation-wgsl';

/**
 * The network primitives, each behind one small function so that a custom WebGPU kernel can
 * replace it later without touching the models.
 */

export function conv(x: tf.Tensor4D, filter: tf.Tensor, stride = 1, pad: 'same' | 'valid' | number = 'same'): tf.Tensor4D {
  return tf.conv2d(x, filter as tf.Tensor4D, stride, pad);
}

export function maxPool2(x: tf.Tensor4D): tf.Tensor4D {
  return tf.maxPool(x, 2, 2, 'valid');
}

export function relu(x: tf.Tensor4D): tf.Tensor4D {
  return tf.relu(x);
}

/** The exact GELU, x · Φ(x). */
export function gelu(x: tf.Tensor4D): tf.Tensor4D {
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
}

/** The activation named as the fused BatchNorm names it, composed from tfjs ops. */
export function activate(x: tf.Tensor4D, activation: Activation): tf.Tensor4D {
  return activation === 'relu' ? relu(x) : activation === 'gelu' ? gelu(x) : x;
}

export function globalMaxPool(x: tf.Tensor4D): tf.Tensor2D {
  return tf.max(x, [1, 2]);
}

export function globalAvgPool(x: tf.Tensor4D): tf.Tensor2D {
  return tf.mean(x, [1, 2]);
}

export function linear(x: tf.Tensor2D, weight: tf.Tensor, bias?: tf.Tensor): tf.Tensor2D {
  const y: tf.Tensor2D = tf.matMul(x, weight as tf.Tensor2D);
  return bias ? (tf.add(y, bias) as tf.Tensor2D) : y;
}
