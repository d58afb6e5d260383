import * as tf from '@tensorflow/tfjs';
import { activationWgsl, type Activation } from './activation-wgsl';
import { normalizedSnippet, channelVector, vectorType } from './batchnorm-forward';
import { channelTiles, REDUCE_WORKGROUP, rowLaneTreeSum, TILE_UNIFORMS, tileDispatch, tileRowsWgsl, tileUniforms, workgroupSumWgsl, type ChannelTiles } from './channel-tiles';
import { runProgram, type Program } from './program';
import { runUpdateProgram, type UpdateProgram } from './update-program';

/**
 * BatchNorm+activation's backward pass in three dispatches and no transpose. With z = scale·x̂ + bias
 * and dz = dy·act′(z):
 *   pass 1: per tile of rows, Σdz and Σdz·x̂ per channel;
 *   pass 2: both sums over the tiles, two [C] tensors: Σdz is the bias gradient, Σdz·x̂ the scale's;
 *   pass 3: dx = scale/σ · (dz − mean(dz) − x̂·mean(dz·x̂)).
 * x̂ is recomputed from the saved x and the batch statistics (f32), or read from its fp16 copy.
 */

export type Storage = 'f32' | 'f16';

/** The saved activation: x itself (x̂ recomputed) or x̂ packed as halves. */
export interface Saved {
  storage: Storage;
  tensor: tf.Tensor;
}

/** WGSL `xhat(e)` for element e of the flat tensor, from binding A (x or packed x̂). */
function scalarXhat(storage: Storage): string {
  return storage === 'f32'
    ? `fn xhat(e : i32, c : i32) -> f32 { return (A[e] - S[c]) * invStd(c); }`
    : `fn xhat(e : i32, c : i32) -> f32 { return unpack2x16float(bitcast<u32>(A[e / 2]))[e % 2]; }`;
}

function partialProgram(t: ChannelTiles, activation: Activation, storage: Storage): Program {
  return {
    // The f16 copy needs no statistics here, and a binding the shader never reads must not be declared.
    variableNames: storage === 'f32' ? ['DY', 'A', 'S', 'G', 'B'] : ['DY', 'A', 'G', 'B'],
    outputShape: [t.tiles, t.channels, 2],
    shaderKey: `tabtune_bn_grad_partial_${activation}_${storage}_${t.lanes}`,
    ...tileDispatch(t),
    uniforms: `${TILE_UNIFORMS} eps : f32,`,
    outputComponent: 2,
    variableComponents: storage === 'f32' ? [1, 1, 1, 1, 1] : [1, 1, 1, 1],
    getUserCode: () => `
      ${activationWgsl(activation, 'f32')}
      ${storage === 'f32' ? normalizedSnippet(1) : ''}
      ${scalarXhat(storage)}
      var<workgroup> sumDz : array<f32, ${REDUCE_WORKGROUP}>;
      var<workgroup> sumDzXhat : array<f32, ${REDUCE_WORKGROUP}>;
      fn main(index : i32) {
        ${tileRowsWgsl(t)}
        var s0 = 0.0;
        var s1 = 0.0;
        if (c < uniforms.channels) {
          let g = G[c];
          let b = B[c];
          for (var r = first + rowLane; r < last; r = r + ${t.rowLanes}) {
            let e = r * uniforms.channels + c;
            let xh = xhat(e, c);
            let dz = DY[e] * actGrad(xh * g + b);
            s0 = s0 + dz;
            s1 = s1 + dz * xh;
          }
        }
        sumDz[lane] = s0;
        sumDzXhat[lane] = s1;
        workgroupBarrier();
        ${rowLaneTreeSum(t, ['sumDz', 'sumDzXhat'], 'lane', 'rowLane')}
        if (rowLane == 0 && c < uniforms.channels) {
          setOutputAtIndex(i32(workgroupId.x) * uniforms.channels + c, vec2<f32>(sumDz[lane], sumDzXhat[lane]));
        }
      }
    `,
  };
}

/** Both sums over the tiles, each a [C] tensor, from one dispatch. */
function sumProgram(t: ChannelTiles): UpdateProgram {
  return {
    shaderKey: 'bn_grad_sums',
    workgroupSize: REDUCE_WORKGROUP,
    dispatch: [t.channels, 1, 1],
    uniforms: TILE_UNIFORMS,
    reads: [{ name: 'P', component: 2 }],
    updates: [],
    outputs: [
      { name: 'SumDz', component: 1, shape: [t.channels] },
      { name: 'SumDzXhat', component: 1, shape: [t.channels] },
    ],
    declarations: `var<workgroup> part : array<vec2<f32>, ${REDUCE_WORKGROUP}>;`,
    main: `
      let lane = i32(localIndex);
      let c = i32(workgroupId.x);
      var acc = vec2<f32>(0.0);
      for (var tile = lane; tile < uniforms.tiles; tile = tile + ${REDUCE_WORKGROUP}) {
        acc = acc + P(tile * uniforms.channels + c);
      }
      part[lane] = acc;
      ${workgroupSumWgsl('part')}
      if (lane == 0) {
        SumDz[c] = part[0].x;
        SumDzXhat[c] = part[0].y;
      }`,
  };
}

function dxProgram(shape: number[], activation: Activation, storage: Storage): Program {
  const channels = shape[shape.length - 1];
  const component = channelVector(channels);
  const size = shape.reduce((a, b) => a * b, 1);
  const type = vectorType(component);
  // Packed halves: one i32 word per 2 elements, so a vec4 group reads a vec2 of words.
  const packedComponent = component === 4 ? 2 : 1;
  const xhat =
    storage === 'f32'
      ? `(A[index] - S[cg]) * inv`
      : component === 4
        ? `vec4<f32>(unpack2x16float(bitcast<u32>(A[index].x)), unpack2x16float(bitcast<u32>(A[index].y)))`
        : `unpack2x16float(bitcast<u32>(A[index / 2]))[index % 2]`;
  return {
    variableNames: ['DY', 'A', 'S', 'G', 'B', 'SumDz', 'SumDzXhat'],
    outputShape: shape,
    shaderKey: `tabtune_bn_grad_dx_${activation}_${storage}_${component}`,
    dispatchLayout: { x: [0] },
    dispatch: [Math.ceil(size / component / 64), 1, 1],
    workgroupSize: [64, 1, 1],
    size: true,
    uniforms: 'channels : i32, eps : f32, count : f32,',
    outputComponent: component,
    variableComponents: [component, storage === 'f32' ? component : packedComponent, component, component, component, component, component],
    getUserCode: () => `
      ${activationWgsl(activation, type)}
      ${normalizedSnippet(component)}
      fn main(index : i32) {
        if (index < uniforms.size) {
          let cg = channelGroup(index);
          let inv = invStd(cg);
          let xh = ${xhat};
          let g = G[cg];
          let dz = DY[index] * actGrad(xh * g + B[cg]);
          let meanDz = SumDz[cg] / uniforms.count;
          let meanDzXhat = SumDzXhat[cg] / uniforms.count;
          setOutputAtIndex(index, g * inv * (dz - meanDz - xh * meanDzXhat));
        }
      }
    `,
  };
}

export interface BatchNormGrads {
  dx: tf.Tensor4D;
  /** Σdz·x̂ per channel. */
  dscale: tf.Tensor1D;
  /** Σdz per channel. */
  dbias: tf.Tensor1D;
}

/** The gradients of y = act(scale·x̂ + bias) with batch statistics, for the upstream gradient dy. */
export function batchNormActGrad(dy: tf.Tensor4D, saved: Saved, stats: tf.Tensor, scale: tf.Tensor, bias: tf.Tensor, epsilon: number, activation: Activation): BatchNormGrads {
  const shape = dy.shape;
  const channels = shape[3];
  const t = channelTiles(dy.size / channels, channels);
  const tiles = tileUniforms(t);
  const eps = { type: 'float32' as const, data: [epsilon] };
  const partialInputs = saved.storage === 'f32' ? [dy, saved.tensor, stats, scale, bias] : [dy, saved.tensor, scale, bias];
  const partial = runProgram(partialProgram(t, activation, saved.storage), partialInputs, [...tiles, eps]);
  const [dbias, dscale] = runUpdateProgram(sumProgram(t), [partial], [], tiles).outputs as tf.Tensor1D[];
  partial.dispose();
  const dx = runProgram<tf.Rank.R4>(dxProgram(shape, activation, saved.storage), [dy, saved.tensor, stats, scale, bias, dbias, dscale], [
    { type: 'int32', data: [channels] },
    eps,
    { type: 'float32', data: [t.rows] },
  ]);
  return { dx, dscale, dbias };
}
