import * as tf from '@tensorflow/tfjs';
import { activationWgsl, type Activation } from './activation-wgsl';
import { channelVector, vectorType } from './batchnorm-forward';
import { channelTiles, REDUCE_WORKGROUP, rowLaneTreeSum, TILE_UNIFORMS, tileDispatch, tileRowsWgsl, tileUniforms, workgroupSumWgsl, type ChannelTiles } from './channel-tiles';
import { flatDispatch, runProgram, type Program } from './program';

/**
 * y = act(x + bias) over an NHWC tensor, bias per channel: airbench's whitening layer. tfjs composes
 * it from a broadcast add (whose per-element index arithmetic made it the slowest elementwise op of
 * an airbench step) and GELU's five ops, with about fifteen more dispatches backward and a transpose
 * before the bias gradient's reduction. Here: one dispatch forward; backward, the bias gradient
 * Σ dy·act′(x + bias) in two (per tile of rows, then over the tiles, BatchNorm's layout) and dx in
 * one more, only when x needs a gradient.
 */


function forwardProgram(shape: number[], activation: Activation): Program {
  const channels = shape[shape.length - 1];
  const component = channelVector(channels);
  const size = shape.reduce((a, b) => a * b, 1);
  const type = vectorType(component);
  return {
    variableNames: ['X', 'B'],
    outputShape: shape,
    shaderKey: `tabtune_bias_act_${activation}_${component}`,
    dispatchLayout: { x: [0] },
    ...flatDispatch(size / component),
    uniforms: 'channels : i32,',
    outputComponent: component,
    variableComponents: [component, component],
    getUserCode: () => `
      ${activationWgsl(activation, type)}
      fn main(index : i32) {
        if (index < uniforms.size) {
          setOutputAtIndex(index, act(X[index] + B[index % (uniforms.channels / ${component})]));
        }
      }
    `,
  };
}

/** dx = dy·act′(x + bias), elementwise. */
function dxProgram(shape: number[], activation: Activation): Program {
  const program = forwardProgram(shape, activation);
  const type = vectorType(program.outputComponent ?? 1);
  const component = program.outputComponent ?? 1;
  return {
    ...program,
    variableNames: ['DY', 'X', 'B'],
    shaderKey: `tabtune_bias_act_dx_${activation}_${component}`,
    variableComponents: [component, component, component],
    getUserCode: () => `
      ${activationWgsl(activation, type)}
      fn main(index : i32) {
        if (index < uniforms.size) {
          setOutputAtIndex(index, DY[index] * actGrad(X[index] + B[index % (uniforms.channels / ${component})]));
        }
      }
    `,
  };
}

/** Per tile of rows, Σ dy·act′(x + bias) per channel: [tiles, C]. */
function partialProgram(t: ChannelTiles, activation: Activation): Program {
  return {
    variableNames: ['DY', 'X', 'B'],
    outputShape: [t.tiles, t.channels],
    shaderKey: `tabtune_bias_act_grad_partial_${activation}_${t.lanes}`,
    ...tileDispatch(t),
    uniforms: TILE_UNIFORMS,
    getUserCode: () => `
      ${activationWgsl(activation, 'f32')}
      var<workgroup> sums : array<f32, ${REDUCE_WORKGROUP}>;
      fn main(index : i32) {
        ${tileRowsWgsl(t)}
        var s = 0.0;
        if (c < uniforms.channels) {
          let b = B[c];
          for (var r = first + rowLane; r < last; r = r + ${t.rowLanes}) {
            let e = r * uniforms.channels + c;
            s = s + DY[e] * actGrad(X[e] + b);
          }
        }
        sums[lane] = s;
        workgroupBarrier();
        ${rowLaneTreeSum(t, ['sums'], 'lane', 'rowLane')}
        if (rowLane == 0 && c < uniforms.channels) {
          setOutputAtIndex(i32(workgroupId.x) * uniforms.channels + c, sums[lane]);
        }
      }
    `,
  };
}

/** The [tiles, C] partials summed over the tiles: one workgroup per channel. */
function totalProgram(t: ChannelTiles): Program {
  return {
    variableNames: ['P'],
    outputShape: [t.channels],
    shaderKey: 'tabtune_bias_act_grad_total',
    dispatchLayout: { x: [0] },
    dispatch: [t.channels, 1, 1],
    workgroupSize: [REDUCE_WORKGROUP, 1, 1],
    size: false,
    uniforms: TILE_UNIFORMS,
    getUserCode: () => `
      var<workgroup> part : array<f32, ${REDUCE_WORKGROUP}>;
      fn main(index : i32) {
        let lane = i32(localIndex);
        let c = i32(workgroupId.x);
        var acc = 0.0;
        for (var tile = lane; tile < uniforms.tiles; tile = tile + ${REDUCE_WORKGROUP}) {
          acc = acc + P[tile * uniforms.channels + c];
        }
        part[lane] = acc;
      ${workgroupSumWgsl('part')}
        if (lane == 0) {
          setOutputAtIndex(c, part[0]);
        }
      }
    `,
  };
}

function checkShapes(x: tf.Tensor, bias: tf.Tensor): void {
  const channels = x.shape[x.shape.length - 1];
  if (x.rank < 2 || bias.rank !== 1 || bias.shape[0] !== channels) {
    throw new Error(`biasAct needs x of rank ≥ 2 and a bias of its last dimension (${channels}); got x [${x.shape}] and bias [${bias.shape}].`);
  }
  if (x.dtype !== 'float32' || bias.dtype !== 'float32') throw new Error(`biasAct needs float32 tensors; got ${x.dtype} and ${bias.dtype}.`);
}

function biasGradient(dy: tf.Tensor, x: tf.Tensor, bias: tf.Tensor, activation: Activation): tf.Tensor1D {
  const channels = x.shape[x.shape.length - 1];
  const t = channelTiles(x.size / channels, channels);
  const partial = runProgram(partialProgram(t, activation), [dy, x, bias], tileUniforms(t));
  const total = runProgram<tf.Rank.R1>(totalProgram(t), [partial], tileUniforms(t));
  partial.dispose();
  return total;
}

export interface BiasActOptions {
  /**
   * false: x needs no gradient (airbench's whitening output is a frozen conv of the images), so it
   * is closed over rather than an input of the customGrad and the backward pass skips dx.
   */
  inputGradient?: boolean;
}

/** act(x + bias) with the bias broadcast over the last dimension, in the engine's own kernels (webgpu only). */
export function biasAct<T extends tf.Tensor>(x: T, bias: tf.Tensor1D, activation: Activation, options: BiasActOptions = {}): T {
  checkShapes(x, bias);
  const uniforms = [{ type: 'int32' as const, data: [x.shape[x.shape.length - 1]] }];
  const forward = (xIn: tf.Tensor, biasIn: tf.Tensor) => runProgram(forwardProgram(x.shape, activation), [xIn, biasIn], uniforms);
  if (options.inputGradient === false) {
    return tf.customGrad((biasIn, save) => {
      // x is not an input, but the backward pass reads it: saving keeps it past the forward scope.
      (save as tf.GradSaveFunc)([x, biasIn as tf.Tensor]);
      return {
        value: forward(x, biasIn as tf.Tensor),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [biasGradient(dy, saved[0], saved[1], activation)],
      };
    })(bias) as T;
  }
  return tf.customGrad((xIn, biasIn, save) => {
    (save as tf.GradSaveFunc)([xIn as tf.Tensor, biasIn as tf.Tensor]);
    return {
      value: forward(xIn as tf.Tensor, biasIn as tf.Tensor),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, b] = saved;
        const dx = runProgram(dxProgram(xs.shape, activation), [dy, xs, b], uniforms);
        return [dx, biasGradient(dy, xs, b, activation)];
      },
    };
  })(x, bias) as T;
}

/** The Kernels line's words for the fused bias+activation. */
export function describeBiasAct(): string {
  return 'bias+activation fused (1 dispatch forward; 2 backward for the bias, 1 more for the input)';
}
