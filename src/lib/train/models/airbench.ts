import * as tf from '@tensorflow/tfjs';
import { CLASSES } from '../../data/image-set';
import { addBatchNorm, addLinear, biasActivation, bnAct, scaled, type BatchNormRefs } from './layers';
import { ModelState, type Model, type Ref } from './model';
import { conv, globalMaxPool, linear, maxPool2 } from './ops';

/**
 * airbench's BatchNorm: scale frozen at 1, fast-moving running statistics and eps 1e-12.
 * airbench94 writes `momentum=0.6` and hands PyTorch `1 - 0.6`: the running statistics decay by
 * 0.6 and a new batch weighs 0.4 (our `momentum` is the new batch's weight, PyTorch's convention).
 */
export const AIRBENCH_BN = { learnScale: false, momentum: 0.4, epsilon: 1e-12 } as const;
const BN = AIRBENCH_BN;

interface Group {
  conv1: Ref;
  bn1: BatchNormRefs;
  conv2: Ref;
  bn2: BatchNormRefs;
}

/**
 * Keller Jordan's airbench94 network: a frozen 2×2 whitening conv (padding 'valid', 32 → 31)
 * with a learnable bias and GELU, then three groups of widths 64/256/256 (conv, 2×2 max-pool,
 * BN, GELU, conv, BN, GELU), a max-pool over the remaining 3×3, a linear head without bias and
 * logits × 1/9. 1,971,352 trainable parameters at width 1 (plus 288 frozen whitening weights).
 * `whitening` is the [2, 2, 3, 24] filter from the training images; the model keeps its own copy.
 */
export function createAirbench(width: number, seed: number, whitening: tf.Tensor4D): Model {
  const state = new ModelState(seed);
  const whiten = state.constant(() => tf.clone(whitening));
  const whitenChannels = whitening.shape[3];
  const whitenBias = state.param(() => tf.zeros([whitenChannels]), 'whiten-bias');
  const groups: Group[] = [];
  let inChannels = whitenChannels;
  for (const out of [64, 256, 256].map((c) => scaled(c, width))) {
    groups.push({
      conv1: state.param(diracInit(state, inChannels, out), 'weight'),
      bn1: addBatchNorm(state, out, BN),
      conv2: state.param(diracInit(state, out, out), 'weight'),
      bn2: addBatchNorm(state, out, BN),
    });
    inChannels = out;
  }
  const head = addLinear(state, inChannels, CLASSES, false);

  return state.toModel((pass, images) => {
    // The whitening conv's filter is frozen and its input is data: only its bias needs a gradient.
    let x = biasActivation(conv(images, pass.read(whiten), 1, 'valid'), pass.read(whitenBias) as tf.Tensor1D, 'gelu', { inputGradient: false });
    for (const g of groups) {
      x = bnAct(pass, maxPool2(conv(x, pass.read(g.conv1))), g.bn1, 'gelu');
      x = bnAct(pass, conv(x, pass.read(g.conv2)), g.bn2, 'gelu');
    }
    return tf.mul(linear(globalMaxPool(x), pass.read(head.weight)), 1 / 9);
  });
}

/**
 * 3×3 filters whose first min(in, out) outputs pass their own input channel through unchanged
 * (identity-like, so the deep stack starts close to the whitened input); the others keep
 * PyTorch's default uniform init.
 */
function diracInit(state: ModelState, inChannels: number, outChannels: number): () => tf.Tensor {
  const seed = state.nextSeed();
  const bound = 1 / Math.sqrt(9 * inChannels);
  return () => {
    const identity = new Float32Array(9 * inChannels * outChannels);
    const keep = new Float32Array(outChannels).fill(1);
    for (let k = 0; k < Math.min(inChannels, outChannels); k++) {
      identity[(4 * inChannels + k) * outChannels + k] = 1; // centre tap (1, 1)
      keep[k] = 0;
    }
    const random = tf.randomUniform([3, 3, inChannels, outChannels], -bound, bound, 'float32', seed);
    return tf.add(tf.mul(random, tf.tensor4d(keep, [1, 1, 1, outChannels])), tf.tensor4d(identity, [3, 3, inChannels, outChannels]));
  };
}
