import * as tf from '@tensorflow/tfjs';
import { CHANNELS, CLASSES } from '../../data/image-set';
import { addBatchNorm, addConv, addLinear, bnAct, scaled, type BatchNormRefs } from './layers';
import { ModelState, type Model, type Pass, type Ref } from './model';
import { conv, globalAvgPool, globalMaxPool, linear } from './ops';

interface Block {
  bn1: BatchNormRefs;
  conv1: Ref;
  bn2: BatchNormRefs;
  conv2: Ref;
  /** A 1×1 projection where the block changes resolution or width. */
  shortcut?: Ref;
  stride: number;
}

/**
 * The pre-activation ResNet-18 of the DAWNBench baseline that Page started from: a 3×3 stem,
 * four stages of two BN-ReLU-conv blocks with widths 64/128/256/256 (strides 1/2/2/2), then
 * global average and max pooling concatenated into a linear head with bias. As in that network
 * there is no BN-ReLU between the last block and the pooling. 5,205,834 parameters at width 1.
 */
export function createResNet18(width: number, seed: number): Model {
  const state = new ModelState(seed);
  const widths = [64, 128, 256, 256].map((c) => scaled(c, width));
  const stem = addConv(state, 3, CHANNELS, widths[0]);
  const blocks: Block[] = [];
  let inChannels = widths[0];
  widths.forEach((out, stage) => {
    for (let b = 0; b < 2; b++) {
      const stride = stage > 0 && b === 0 ? 2 : 1;
      blocks.push({
        bn1: addBatchNorm(state, inChannels),
        conv1: addConv(state, 3, inChannels, out),
        bn2: addBatchNorm(state, out),
        conv2: addConv(state, 3, out, out),
        shortcut: stride !== 1 || inChannels !== out ? addConv(state, 1, inChannels, out) : undefined,
        stride,
      });
      inChannels = out;
    }
  });
  const head = addLinear(state, 2 * inChannels, CLASSES, true);

  const block = (pass: Pass, x: tf.Tensor4D, b: Block): tf.Tensor4D => {
    const a = bnAct(pass, x, b.bn1, 'relu');
    const skip = b.shortcut ? conv(a, pass.read(b.shortcut), b.stride, 'valid') : x;
    // Symmetric padding of 1, as PyTorch pads; 'same' would pad only the bottom and right at stride 2.
    const h = conv(a, pass.read(b.conv1), b.stride, b.stride === 1 ? 'same' : 1);
    const y = conv(bnAct(pass, h, b.bn2, 'relu'), pass.read(b.conv2));
    return tf.add(y, skip);
  };

  return state.toModel((pass, images) => {
    let x = conv(images, pass.read(stem));
    for (const b of blocks) x = block(pass, x, b);
    const pooled = tf.concat([globalAvgPool(x), globalMaxPool(x)], 1);
    return linear(pooled, pass.read(head.weight), head.bias && pass.read(head.bias));
  });
}
