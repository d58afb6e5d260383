import * as tf from '@tensorflow/tfjs';
import { FLAT_WORKGROUP, MAX_WORKGROUPS_PER_DIMENSION, onWebGpu, type Uniform } from './program';

/**
 * Dispatches that write several tensors, some of them in place: what tfjs's program interface
 * cannot express (one output, every input read-only), so a read-modify-write of two tensors (a
 * weight and its velocity, a running mean and variance) cost a dispatch each.
 *
 * The shader is ours, compiled with an 'auto' layout, and recorded through the backend's own
 * `recordAndSubmit`: that keeps tfjs's bookkeeping (buffers owned by the open command queue, the
 * submit batching, the profiler's timers) as for any other program. Every binding is viewed as a
 * flat rank-1 tensor, so the uniforms tfjs prepends (NaN, Infinity, then each binding's shape and
 * stride) are two i32 per binding, which the generated struct mirrors.
 *
 * An update is done in place only when its buffer belongs to that one tensor: tfjs shares a buffer
 * between a tensor and its clones (the EMA and lookahead copies start as clones, and a lookahead
 * step assigns the average to the weights), so a shared buffer gets a fresh one instead, and the
 * caller assigns it. Bindings of one dispatch never alias: WebGPU rejects a writable buffer bound twice.
 */

interface TensorData {
  refCount: number;
  /** The buffer's element type, which a cast without loss leaves as it was. */
  dtype: tf.DataType;
  values: unknown;
  resource: unknown;
}

interface WebGpuInternals {
  device: GPUDevice;
  tensorMap: { get(dataId: object): TensorData };
  pipelineCache: Record<string, unknown>;
  refCount(dataId: object): number;
  uploadToGPU(dataId: object): void;
  makeTensorInfo(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  recordAndSubmit(program: object, output: tf.TensorInfo, inputs: tf.TensorInfo[], uniforms: Uniform[]): void;
}

export interface BufferSpec {
  name: string;
  /** Floats per array element: the WGSL type is f32, vec2<f32> or vec4<f32>. */
  component: 1 | 2 | 4;
}

export interface UpdateProgram {
  /** Pipelines are cached by this key: it must name every choice baked into the shader text. */
  shaderKey: string;
  workgroupSize: number;
  dispatch: [number, number, number];
  /** Scalar uniform fields, WGSL struct syntax (`lr : f32, n : i32,`), in the order of the data. */
  uniforms: string;
  /**
   * Read as `NAME(i)`, always as floats: tfjs keeps an int32 buffer under a tensor cast to float32,
   * so the binding's type follows the buffer and the accessor converts.
   */
  reads: BufferSpec[];
  /** Read, then written: `NAME_prev(i)` is the value before the dispatch, `NAME[i] = ...` writes. */
  updates: BufferSpec[];
  /** New tensors of these shapes, written as `NAME[i] = ...`. */
  outputs: (BufferSpec & { shape: number[] })[];
  /** WGSL functions and workgroup variables before `main`. */
  declarations?: string;
  /**
   * The body of `main`, which has `globalId`, `localIndex` and `workgroupId` (u32 builtins). It must
   * read `uniforms` and every binding: the 'auto' layout drops a binding the shader never uses.
   */
  main: string;
}

/**
 * How an elementwise update walks a tensor of `size` floats: four at a time (vec4) where the size
 * allows, one thread per element group; `n` (the element groups) goes in the program's uniforms.
 */
export function flatLayout(size: number): { component: 1 | 4; type: string; workgroupSize: number; dispatch: [number, number, number]; n: number } {
  const component = size % 4 === 0 ? 4 : 1;
  const n = size / component;
  return { component, type: component === 4 ? 'vec4<f32>' : 'f32', workgroupSize: FLAT_WORKGROUP, dispatch: [Math.ceil(n / FLAT_WORKGROUP), 1, 1], n };
}

/** Whether a flat update of `size` floats can run here: the webgpu backend, and one dispatch row large enough. */
export function canRunFlat(size: number): boolean {
  return onWebGpu() && Math.ceil(size / FLAT_WORKGROUP) <= MAX_WORKGROUPS_PER_DIMENSION;
}

export interface UpdateResult {
  outputs: tf.Tensor[];
  /** Per update: null when written in place, else the tensor holding the new value (for `assign`). */
  updated: (tf.Tensor | null)[];
}

function internals(): WebGpuInternals {
  const backend = tf.backend() as unknown as Partial<WebGpuInternals>;
  if (typeof backend.recordAndSubmit !== 'function' || typeof backend.refCount !== 'function' || !backend.tensorMap || !backend.pipelineCache) {
    throw new Error('The engine\'s multi-output kernels need tfjs-backend-webgpu 4.x internals (recordAndSubmit, tensorMap, refCount).');
  }
  return backend as WebGpuInternals;
}

function wgslType(component: number, scalar = 'f32'): string {
  return component === 1 ? scalar : `vec${component}<${scalar}>`;
}

function flatView(info: tf.TensorInfo): tf.TensorInfo {
  return { dataId: info.dataId, dtype: info.dtype, shape: [info.shape.reduce((a, b) => a * b, 1)] };
}

function bufferScalar(backend: WebGpuInternals, info: tf.TensorInfo): 'f32' | 'i32' {
  const dtype = backend.tensorMap.get(info.dataId).dtype;
  if (dtype === 'float32') return 'f32';
  if (dtype === 'int32' || dtype === 'bool') return 'i32';
  throw new Error(`The engine's kernels cannot read ${dtype} tensors.`);
}

interface Slot {
  name: string;
  access: 'read' | 'read_write';
  component: number;
  scalar: 'f32' | 'i32';
}

function shaderText(program: UpdateProgram, slots: Slot[], inPlace: boolean[]): string {
  const shapes = slots.map((_, i) => `tfShape${i} : i32, tfStride${i} : i32,`).join(' ');
  const bindings = slots.map((s, i) => `@group(0) @binding(${i}) var<storage, ${s.access}> ${s.name} : array<${wgslType(s.component, s.scalar)}>;`);
  const readers = program.reads.map((r) => {
    const type = wgslType(r.component);
    return `fn ${r.name}(i : i32) -> ${type} { return ${type}(${r.name}_buf[i]); }`;
  });
  const previous = program.updates.map((u, i) => {
    const source = inPlace[i] ? u.name : `${u.name}_in`;
    return `fn ${u.name}_prev(i : i32) -> ${wgslType(u.component)} { return ${source}[i]; }`;
  });
  return `
    struct Uniforms { tfNaN : f32, tfInf : f32, ${shapes} ${program.uniforms} };
    ${bindings.join('\n    ')}
    @group(0) @binding(${slots.length}) var<uniform> uniforms : Uniforms;
    ${previous.join('\n    ')}
    ${readers.join('\n    ')}
    ${program.declarations ?? ''}
    @compute @workgroup_size(${program.workgroupSize})
    fn main(@builtin(global_invocation_id) globalId : vec3<u32>, @builtin(local_invocation_index) localIndex : u32, @builtin(workgroup_id) workgroupId : vec3<u32>) {
      ${program.main}
    }
  `;
}

/**
 * Runs `program` on the webgpu backend: `reads`, `updates` and `outputs` tensors in the order of
 * its specs, `uniforms` in the order of its fields.
 */
export function runUpdateProgram(program: UpdateProgram, reads: tf.TensorInfo[], updates: tf.TensorInfo[], uniforms: Uniform[]): UpdateResult {
  const backend = internals();
  const others = [...reads, ...updates];
  // In place only where nothing else holds the buffer, inside or outside this dispatch.
  const inPlace = updates.map((u) => backend.refCount(u.dataId) === 1 && others.filter((o) => o.dataId === u.dataId).length === 1);
  const fresh = updates.map((u, i) => (inPlace[i] ? null : backend.makeTensorInfo(u.shape, 'float32')));
  const outputs = program.outputs.map((o) => backend.makeTensorInfo(o.shape, 'float32'));

  const slots: Slot[] = [];
  const bound: tf.TensorInfo[] = [];
  program.updates.forEach((spec, i) => {
    slots.push({ name: spec.name, access: 'read_write', component: spec.component, scalar: 'f32' });
    bound.push(fresh[i] ?? updates[i]);
    if (!inPlace[i]) {
      slots.push({ name: `${spec.name}_in`, access: 'read', component: spec.component, scalar: 'f32' });
      bound.push(updates[i]);
    }
  });
  program.outputs.forEach((spec, i) => {
    slots.push({ name: spec.name, access: 'read_write', component: spec.component, scalar: 'f32' });
    bound.push(outputs[i]);
  });
  program.reads.forEach((spec, i) => {
    slots.push({ name: `${spec.name}_buf`, access: 'read', component: spec.component, scalar: bufferScalar(backend, reads[i]) });
    bound.push(reads[i]);
  });
  for (const u of updates) {
    if (bufferScalar(backend, u) !== 'f32') throw new Error('An updated tensor must hold float32 data.');
  }

  const key = `tabtune_update_${program.shaderKey}_${slots.map((s) => s.scalar).join('')}_${inPlace.map((p) => (p ? 'i' : 'f')).join('')}`;
  if (!(key in backend.pipelineCache)) {
    const module = backend.device.createShaderModule({ code: shaderText(program, slots, inPlace), label: key });
    backend.pipelineCache[key] = backend.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: key });
  }
  for (const t of bound) backend.uploadToGPU(t.dataId);
  const views = bound.map(flatView);
  backend.recordAndSubmit({ pipeline: backend.pipelineCache[key], dispatch: program.dispatch, size: false }, views[0], views.slice(1), uniforms);
  // A value read back earlier is cached on the CPU; the buffer now holds newer numbers.
  updates.forEach((u, i) => {
    if (inPlace[i]) backend.tensorMap.get(u.dataId).values = null;
  });
  const engine = tf.engine();
  return {
    outputs: outputs.map((o) => engine.makeTensorFromTensorInfo(o)),
    updated: fresh.map((f) => (f ? engine.makeTensorFromTensorInfo(f) : null)),
  };
}
