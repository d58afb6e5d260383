import * as tf from '@tensorflow/tfjs';

/**
 * The slice of tfjs-backend-webgpu's program interface the engine's own kernels fill. Kept here
 * rather than imported: importing the package registers its backend, which Node tests and the CPU
 * path must be able to avoid.
 */
export interface Program {
  variableNames: string[];
  outputShape: number[];
  /** Pipelines are cached by this key: it must name every choice baked into the shader text. */
  shaderKey: string;
  dispatchLayout: { x: number[]; y?: number[]; z?: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  /** Whether the backend adds `uniforms.size` (the output's element count) for bounds checks. */
  size: boolean;
  /** Extra uniform fields, WGSL struct syntax (`lr : f32, n : i32,`), in the order of the data passed. */
  uniforms?: string;
  outputComponent?: number;
  variableComponents?: number[];
  /** Storage for the output declared atomic (for kernels that accumulate with atomicAdd). */
  atomic?: boolean;
  getUserCode(): string;
}

export interface Uniform {
  type: 'float32' | 'int32' | 'uint32';
  data: number[];
}

interface WebGpuRunner {
  runWebGPUProgram(program: Program, inputs: tf.TensorInfo[], dtype: tf.DataType, uniforms?: Uniform[], output?: tf.TensorInfo): tf.TensorInfo;
}

/** Threads per workgroup of the kernels with one thread per element (or group of four). */
export const FLAT_WORKGROUP = 64;

/** `threads` threads in 1-D workgroups of FLAT_WORKGROUP, each checking its index against `uniforms.size` (the output's elements, or groups of them). */
export function flatDispatch(threads: number): Pick<Program, 'dispatch' | 'workgroupSize' | 'size'> {
  return { dispatch: [Math.ceil(threads / FLAT_WORKGROUP), 1, 1], workgroupSize: [FLAT_WORKGROUP, 1, 1], size: true };
}

/** WebGPU's guaranteed workgroups per dispatch dimension. */
export const MAX_WORKGROUPS_PER_DIMENSION = 65535;

/** Runs one program on the current (webgpu) backend and returns its output as a tensor the engine tracks. */
export function runProgram<R extends tf.Rank>(program: Program, inputs: tf.TensorInfo[], uniforms: Uniform[] = [], dtype: tf.DataType = 'float32'): tf.Tensor<R> {
  const backend = tf.backend() as unknown as WebGpuRunner;
  return tf.engine().makeTensorFromTensorInfo(backend.runWebGPUProgram(program, inputs, dtype, uniforms)) as tf.Tensor<R>;
}

/** Whether the current backend runs the engine's own kernels. */
export function onWebGpu(): boolean {
  return tf.getBackend() === 'webgpu';
}
