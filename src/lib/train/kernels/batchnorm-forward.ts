import * as tf from '@tensorflow/tfjs';
import { activationWgsl, type Activation } from './activation-wgsl';
import { flatDispatch, runProgram, type Program, type Uniform } from './program';

/**
 * BatchNorm's elementwise passes over NHWC: y = act(scale·x̂ + bias) with x̂ = (x − mean)/√(var + ε),
 * and, for fp16 activation storage, x̂ packed two halves to a 32-bit word. Four channels per thread
 * (vec4) when C is a multiple of 4, so stats, scale and bias are read as vec4 as well.
 */


/** Components per thread: 4 when a row's channels split into whole vec4s. */
export function channelVector(channels: number): 1 | 4 {
  return channels % 4 === 0 ? 4 : 1;
}

export function vectorType(component: number): string {
  return component === 4 ? 'vec4<f32>' : 'f32';
}

/**
 * Where the mean and variance come from: the batch's, as one [2, C] tensor S (training), or the
 * running ones, as two [C] tensors M and V (evaluation).
 */
export type StatsSource = 'batch' | 'running';

/**
 * WGSL: the channel group of element group `index`, and that group's mean and 1/√(var + ε)
 * (`cg` indexes S or M and V, G and B in vectors).
 */
export function normalizedSnippet(component: number, source: StatsSource = 'batch'): string {
  const type = vectorType(component);
  const mean = source === 'batch' ? 'S[cg]' : 'M[cg]';
  const variance = source === 'batch' ? `S[uniforms.channels / ${component} + cg]` : 'V[cg]';
  return `
    fn channelGroup(index : i32) -> i32 { return index % (uniforms.channels / ${component}); }
    fn meanOf(cg : i32) -> ${type} { return ${mean}; }
    fn invStd(cg : i32) -> ${type} { return inverseSqrt(${variance} + ${type}(uniforms.eps)); }
  `;
}

export function normalizeProgram(shape: number[], activation: Activation, source: StatsSource = 'batch'): Program {
  const channels = shape[shape.length - 1];
  const component = channelVector(channels);
  const size = shape.reduce((a, b) => a * b, 1);
  const type = vectorType(component);
  const variableNames = source === 'batch' ? ['X', 'S', 'G', 'B'] : ['X', 'M', 'V', 'G', 'B'];
  return {
    variableNames,
    outputShape: shape,
    shaderKey: `tabtune_bn_normalize_${activation}_${component}_${source}`,
    dispatchLayout: { x: [0] },
    ...flatDispatch(size / component),
    uniforms: 'channels : i32, eps : f32,',
    outputComponent: component,
    variableComponents: variableNames.map(() => component),
    getUserCode: () => `
      ${activationWgsl(activation, type)}
      ${normalizedSnippet(component, source)}
      fn main(index : i32) {
        if (index < uniforms.size) {
          let cg = channelGroup(index);
          let xhat = (X[index] - meanOf(cg)) * invStd(cg);
          setOutputAtIndex(index, act(xhat * G[cg] + B[cg]));
        }
      }
    `,
  };
}

/**
 * x̂ as IEEE halves, two per i32 (pack2x16float needs no device feature). Words hold elements 2i and
 * 2i + 1 of the flat tensor; an odd last element is paired with 0.
 */
export function packProgram(shape: number[]): Program {
  const channels = shape[shape.length - 1];
  const size = shape.reduce((a, b) => a * b, 1);
  const words = Math.ceil(size / 2);
  return {
    variableNames: ['X', 'S'],
    outputShape: [words],
    shaderKey: 'tabtune_bn_pack_f16',
    dispatchLayout: { x: [0] },
    ...flatDispatch(words),
    uniforms: 'channels : i32, eps : f32, elements : i32,',
    outputComponent: 1,
    variableComponents: [1, 1],
    getUserCode: () => `
      ${normalizedSnippet(1)}
      fn xhatAt(e : i32) -> f32 {
        if (e >= uniforms.elements) { return 0.0; }
        let c = e % uniforms.channels;
        return (X[e] - S[c]) * invStd(c);
      }
      fn main(index : i32) {
        if (index < uniforms.size) {
          setOutputAtIndexI32(index, bitcast<i32>(pack2x16float(vec2<f32>(xhatAt(2 * index), xhatAt(2 * index + 1)))));
        }
      }
    `,
  };
}

function normalizeUniforms(x: tf.Tensor4D, epsilon: number): Uniform[] {
  return [
    { type: 'int32', data: [x.shape[3]] },
    { type: 'float32', data: [epsilon] },
  ];
}

/** y = act(scale·x̂ + bias) from the batch statistics `stats` ([2, C]). */
export function normalize(x: tf.Tensor4D, stats: tf.Tensor, scale: tf.Tensor, bias: tf.Tensor, epsilon: number, activation: Activation): tf.Tensor4D {
  return runProgram<tf.Rank.R4>(normalizeProgram(x.shape, activation), [x, stats, scale, bias], normalizeUniforms(x, epsilon));
}

/** Evaluation-mode BatchNorm and its activation in one dispatch: y = act(scale·(x − mean)/√(var + ε) + bias) with the running statistics. */
export function normalizeWithRunning(x: tf.Tensor4D, mean: tf.Tensor, variance: tf.Tensor, scale: tf.Tensor, bias: tf.Tensor, epsilon: number, activation: Activation): tf.Tensor4D {
  return runProgram<tf.Rank.R4>(normalizeProgram(x.shape, activation, 'running'), [x, mean, variance, scale, bias], normalizeUniforms(x, epsilon));
}

/** x̂ packed as fp16 pairs: half the bytes of x, for the backward pass. */
export function packNormalized(x: tf.Tensor4D, stats: tf.Tensor, epsilon: number): tf.Tensor1D {
  return runProgram<tf.Rank.R1>(packProgram(x.shape), [x, stats], [
    { type: 'int32', data: [x.shape[3]] },
    { type: 'float32', data: [epsilon] },
    { type: 'int32', data: [x.size] },
  ], 'int32');
}
