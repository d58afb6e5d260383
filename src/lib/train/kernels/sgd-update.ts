import * as tf from '@tensorflow/tfjs';
import { MAX_WORKGROUPS_PER_DIMENSION, onWebGpu, runProgram, type Program, type Uniform } from './program';

/**
 * The SGD step of one parameter as two WebGPU dispatches instead of about seven tfjs ops:
 *   v' = μ·v + g                               (velocity)
 *   w' = (1 − decay)·w − lr·(nesterov ? g + μ·v' : v')   (weight, decoupled decay)
 * lr, μ and decay change every step, so they travel as uniforms: one pipeline per variant serves
 * every step and every parameter, and no scalar tensor is uploaded. Tensors are viewed as flat
 * arrays (a reshape shares the buffer), read four floats at a time where the size allows.
 */

const WORKGROUP = 64;

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
  return onWebGpu() && Math.ceil(size / WORKGROUP) <= MAX_WORKGROUPS_PER_DIMENSION;
}

/**
 * One SGD step of `variable` with its `velocity`, on the GPU in two dispatches. Same arithmetic
 * as the stock path in optimizer.ts; the caller checks `canFuseSgd` first.
 */
export function fusedSgdUpdate(variable: tf.Variable, velocity: tf.Variable, grad: tf.Tensor, lr: number, decay: number, momentum: number, nesterov: boolean): void {
  const size = variable.size;
  const uniforms: Uniform[] = [
    { type: 'float32', data: [lr] },
    { type: 'float32', data: [decay] },
    { type: 'float32', data: [momentum] },
  ];
  tf.tidy(() => {
    const flat = (t: tf.Tensor) => t.reshape([size]);
    const v = flat(velocity);
    const g = flat(grad);
    const w = flat(variable);
    const nextVelocity = runProgram(program('velocity', size, nesterov), [v, g], uniforms);
    const weightInputs = nesterov ? [w, g, nextVelocity] : [w, nextVelocity];
    const nextWeight = runProgram(program('weight', size, nesterov), weightInputs, uniforms);
    velocity.assign(nextVelocity.reshape(velocity.shape));
    variable.assign(nextWeight.reshape(variable.shape));
  });
}
