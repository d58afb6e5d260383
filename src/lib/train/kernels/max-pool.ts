import * as tf from '@tensorflow/tfjs';
import { flatDispatch, type Program } from './program';
import type { KernelOverride } from './registry';

/**
 * The two max-pools the models use, as the engine's own kernels:
 * - MaxPoolGrad of a 2×2, stride-2, unpadded pool (every pooled unit of resnet9 and airbench). tfjs
 *   runs it in two dispatches, one recomputing the argmax positions of the whole forward pool and one
 *   looping over the windows that may cover each input with a float division per tap. Here one
 *   dispatch: each input element reads its own window (the only one covering it) and takes dy
 *   when it is that window's max. Ties go to the last maximum in row-major window order, as tfjs's
 *   positions (`value >= max`) do.
 * - Max over H and W of an NHWC tensor (the global max-pool of the heads). tfjs transposes the
 *   tensor, then reduces with a workgroup per output; here one thread per (batch, channel) walks
 *   the H·W pixels, adjacent threads on adjacent channels.
 * Every other pool or reduction goes to tfjs's kernel.
 */


export const maxPoolCalls = { gradOwn: 0, gradStock: 0, globalOwn: 0, globalStock: 0 };

export function resetMaxPoolCalls(): void {
  maxPoolCalls.gradOwn = maxPoolCalls.gradStock = maxPoolCalls.globalOwn = maxPoolCalls.globalStock = 0;
}

function poolGradProgram(inShape: number[]): Program {
  const size = inShape.reduce((a, b) => a * b, 1);
  return {
    variableNames: ['dy', 'x'],
    outputShape: inShape,
    shaderKey: 'tabtune_max_pool_grad_2x2',
    dispatchLayout: { x: [0, 1, 2, 3] },
    ...flatDispatch(size),
    getUserCode: () => `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let c = index % uniforms.xShape.w;
          let pixel = index / uniforms.xShape.w;
          let px = pixel % uniforms.xShape.z;
          let row = pixel / uniforms.xShape.z;
          let py = row % uniforms.xShape.y;
          let b = row / uniforms.xShape.y;
          let oy = py / 2;
          let ox = px / 2;
          var grad = 0.0;
          // An odd last row or column belongs to no window of an unpadded pool.
          if (oy < uniforms.dyShape.y && ox < uniforms.dyShape.z) {
            let rowStride = uniforms.xShape.z * uniforms.xShape.w;
            let corner = ((b * uniforms.xShape.y + 2 * oy) * uniforms.xShape.z + 2 * ox) * uniforms.xShape.w + c;
            let v0 = x[corner];
            let v1 = x[corner + uniforms.xShape.w];
            let v2 = x[corner + rowStride];
            let v3 = x[corner + rowStride + uniforms.xShape.w];
            var best = v0;
            var at = 0;
            if (v1 >= best) { best = v1; at = 1; }
            if (v2 >= best) { best = v2; at = 2; }
            if (v3 >= best) { best = v3; at = 3; }
            if (at == (py - 2 * oy) * 2 + (px - 2 * ox)) {
              grad = dy[((b * uniforms.dyShape.y + oy) * uniforms.dyShape.z + ox) * uniforms.dyShape.w + c];
            }
          }
          setOutputAtIndex(index, grad);
        }
      }
    `,
  };
}

function globalMaxProgram(xShape: number[], outShape: number[]): Program {
  const [batch, , , channels] = xShape;
  return {
    variableNames: ['x'],
    outputShape: outShape,
    shaderKey: 'tabtune_global_max_hw',
    dispatchLayout: { x: [0] },
    ...flatDispatch(batch * channels),
    getUserCode: () => `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let c = index % uniforms.xShape.w;
          let b = index / uniforms.xShape.w;
          let pixels = uniforms.xShape.y * uniforms.xShape.z;
          var e = b * pixels * uniforms.xShape.w + c;
          var best = x[e];
          for (var p = 1; p < pixels; p = p + 1) {
            e = e + uniforms.xShape.w;
            best = max(best, x[e]);
          }
          setOutputAtIndex(index, best);
        }
      }
    `,
  };
}

type Params = Parameters<tf.KernelFunc>[0];

const pair = (v: number | [number, number] | undefined) => (typeof v === 'number' ? [v, v] : v);

function isPlain2x2(params: Params): boolean {
  const { dy, input } = params.inputs as { dy?: tf.TensorInfo; input?: tf.TensorInfo };
  const attrs = params.attrs as unknown as tf.MaxPoolGradAttrs;
  if (!dy || !input || dy.dtype !== 'float32' || input.dtype !== 'float32' || input.shape.length !== 4 || dy.shape.length !== 4) return false;
  const [fh, fw] = pair(attrs.filterSize as number | [number, number]) ?? [];
  const [sh, sw] = pair(attrs.strides as number | [number, number]) ?? [];
  if (fh !== 2 || fw !== 2 || sh !== 2 || sw !== 2) return false;
  if (attrs.pad !== 'valid' && attrs.pad !== 0) return false;
  const [b, h, w, c] = input.shape;
  const expected = [b, Math.floor(h / 2), Math.floor(w / 2), c];
  return dy.shape.every((d, i) => d === expected[i]) && input.shape.every((d) => d > 0) && expected.every((d) => d > 0);
}

/** An override that takes the cases `accepts` admits and hands tfjs's kernel the rest, counting which ran. */
function poolOverride(kernelName: string, calls: 'grad' | 'global', accepts: (params: Params) => boolean, run: (params: Params) => tf.TensorInfo, describe: () => string): KernelOverride {
  return {
    kernelName,
    run(params, stock) {
      const own = accepts(params);
      maxPoolCalls[`${calls}${own ? 'Own' : 'Stock'}`]++;
      return own ? run(params) : stock(params);
    },
    describe,
  };
}

export const maxPoolGradOverride = poolOverride(
  'MaxPoolGrad',
  'grad',
  isPlain2x2,
  (params) => {
    const { dy, input } = params.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    return runTensorInfo(params, poolGradProgram(input.shape), [dy, input]);
  },
  () => 'MaxPoolGrad 2×2/2 in 1 dispatch',
);

/** The reduced axes when they are exactly H and W of a rank-4 tensor. */
function isGlobalHw(params: Params): boolean {
  const { x } = params.inputs as { x?: tf.TensorInfo };
  const attrs = params.attrs as unknown as tf.MaxAttrs;
  if (!x || x.dtype !== 'float32' || x.shape.length !== 4 || x.shape.some((d) => d < 1)) return false;
  const axes = [attrs.reductionIndices].flat().map((a) => (a < 0 ? a + 4 : a)).sort();
  return axes.length === 2 && axes[0] === 1 && axes[1] === 2;
}

export const globalMaxOverride = poolOverride(
  'Max',
  'global',
  isGlobalHw,
  (params) => {
    const { x } = params.inputs as { x: tf.TensorInfo };
    const keepDims = (params.attrs as unknown as tf.MaxAttrs).keepDims;
    const [batch, , , channels] = x.shape;
    return runTensorInfo(params, globalMaxProgram(x.shape, keepDims ? [batch, 1, 1, channels] : [batch, channels]), [x]);
  },
  () => 'global max over H×W in 1 dispatch',
);

interface ProgramRunner {
  runWebGPUProgram(program: Program, inputs: tf.TensorInfo[], dtype: tf.DataType): tf.TensorInfo;
}

function runTensorInfo(params: Params, program: Program, inputs: tf.TensorInfo[]): tf.TensorInfo {
  return (params.backend as unknown as ProgramRunner).runWebGPUProgram(program, inputs, 'float32');
}
