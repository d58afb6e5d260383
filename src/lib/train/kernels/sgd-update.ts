import * as tf from '@tensorflow/tfjs';

/**
 * The SGD step of one parameter as two WebGPU dispatches instead of about seven tfjs ops:
 *   v' = μ·v + g                               (velocity)
 *   w' = (1 − decay)·w − lr·(nesterov ? g + μ·v' : v')   (weight, decoupled decay)
 * lr, μ and decay change every step, so they travel as uniforms: one pipeline per variant serves
 * every step and every parameter, and no scalar tensor is uploaded. Tensors are viewed as flat
 * arrays (a reshape shares the buffer), read four floats at a time where the size allows.
 */

/** The slice of tfjs-backend-webgpu's program interface these kernels fill (kept local: importing the package registers its backend). */
interface Program {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  size: boolean;
  uniforms: string;
  outputComponent: number;
  variableComponents: number[];
  getUserCode(): string;
}

interface WebGpuRunner {
  runWebGPUProgram(program: Program, inputs: tf.TensorInfo[], dtype: 'float32', uniforms: { type: string; data: number[] }[]): tf.TensorInfo;
}

const WORKGROUP = 64;
/** WebGPU's guaranteed workgroups per dispatch dimension; beyond it the stock ops take over. */
const MAX_WORKGROUPS = 65535;

function program(kind: 'velocity' | 'weight', size: number, nesterov: boolean): Program {
  const component = size % 4 === 0 ? 4 : 1;
  // Every binding must be read: a shader's layout drops an unused one, and the bind group would not match.
  const inputs = kind === 'velocity' ? ['V', 'G'] : nesterov ? ['W', 'G', 'V'] : ['W', 'V'];
  const body =
    kind === 'velocity'
      ? 'setOutputAtIndex(index, uniforms.momentum * V[index] + G[index]);'
      : `let step = ${nesterov ? 'G[index] + uniforms.momentum * V[index]' : 'V[index]'};
          setOutputAtIndex(index, (1.0 - uniforms.decay) * W[index] - uniforms.lr * step);`;
  return {
    variableNames: inputs,
    outputShape: [size],
    shaderKey: `tabtune_sgd_${kind}_${nesterov ? 'nesterov' : 'heavy'}_${component}`,
    dispatchLayout: { x: [0] },
    dispatch: [Math.ceil(size / component / WORKGROUP), 1, 1],
    workgroupSize: [WORKGROUP, 1, 1],
    size: true,
    uniforms: 'lr : f32, decay : f32, momentum : f32,',
    outputComponent: component,
    variableComponents: inputs.map(() => component),
    getUserCode: () => `
      fn main(index : i32) {
        if (index < uniforms.size) {
          ${body}
        }
      }
    `,
  };
}

/** Whether the fused update can run here: the webgpu backend, and a parameter small enough for one flat dispatch. */
export function canFuseSgd(size: number): boolean {
  return tf.getBackend() === 'webgpu' && Math.ceil(size / WORKGROUP) <= MAX_WORKGROUPS;
}

/**
 * One SGD step of `variable` with its `velocity`, on the GPU in two dispatches. Same arithmetic
 * as the stock path in optimizer.ts; the caller checks `canFuseSgd` first.
 */
export function fusedSgdUpdate(variable: tf.Variable, velocity: tf.Variable, grad: tf.Tensor, lr: number, decay: number, momentum: number, nesterov: boolean): void {
  const backend = tf.backend() as unknown as WebGpuRunner;
  const size = variable.size;
  const uniforms = [
    { type: 'float32', data: [lr] },
    { type: 'float32', data: [decay] },
    { type: 'float32', data: [momentum] },
  ];
  tf.tidy(() => {
    const flat = (t: tf.Tensor) => t.reshape([size]);
    const v = flat(velocity);
    const g = flat(grad);
    const w = flat(variable);
    const nextVelocity = tf.engine().makeTensorFromTensorInfo(backend.runWebGPUProgram(program('velocity', size, nesterov), [v, g], 'float32', uniforms));
    const weightInputs = nesterov ? [w, g, nextVelocity] : [w, nextVelocity];
    const nextWeight = tf.engine().makeTensorFromTensorInfo(backend.runWebGPUProgram(program('weight', size, nesterov), weightInputs, 'float32', uniforms));
    velocity.assign(nextVelocity.reshape(velocity.shape));
    variable.assign(nextWeight.reshape(variable.shape));
  });
}
