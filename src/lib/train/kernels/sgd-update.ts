import * as tf from '@tensorflow/tfjs';
import type { Uniform } from './program';
import { canRunFlat, flatLayout, runUpdateProgram, type UpdateProgram } from './update-program';
import type { StepGate } from '../loss-scale';

/**
 * The SGD step of one parameter as one WebGPU dispatch instead of about seven tfjs ops:
 *   v' = μ·v + g                               (velocity)
 *   w' = (1 − decay)·w − lr·(nesterov ? g + μ·v' : v')   (weight, decoupled decay)
 * Weight and velocity are both written by the one dispatch, in place where their buffers are
 * theirs alone (update-program.ts). lr, μ and decay change every step, so they travel as uniforms:
 * one pipeline per variant serves every step and every parameter, and no scalar tensor is
 * uploaded. Tensors are viewed as flat arrays, read four floats at a time where the size allows.
 * Under a dynamic loss scale (f16 compute) a gate tensor unscales the gradient and can skip the step.
 */

function program(size: number, nesterov: boolean, gated: boolean): UpdateProgram {
  const { component, type, workgroupSize, dispatch } = flatLayout(size);
  // With a loss-scale gate S = [1/scale, apply]: the gradient is unscaled, and a skipped step
  // writes back the old values (select, not a blend: a NaN gradient must not leak through a 0).
  const grad = gated ? `G(i) * ${type}(S(0))` : 'G(i)';
  const write = (name: string, value: string) => (gated ? `${name}[i] = select(${name}_prev(i), ${value}, S(1) != 0.0);` : `${name}[i] = ${value};`);
  return {
    shaderKey: `sgd_${nesterov ? 'nesterov' : 'heavy'}_${component}${gated ? '_gated' : ''}`,
    workgroupSize,
    dispatch,
    uniforms: 'n : i32, lr : f32, decay : f32, momentum : f32,',
    reads: gated ? [{ name: 'G', component }, { name: 'S', component: 1 }] : [{ name: 'G', component }],
    updates: [
      { name: 'V', component },
      { name: 'W', component },
    ],
    outputs: [],
    main: `
      let i = i32(globalId.x);
      if (i < uniforms.n) {
        let g = ${grad};
        let v = ${type}(uniforms.momentum) * V_prev(i) + g;
        ${write('V', 'v')}
        let step = ${nesterov ? `g + ${type}(uniforms.momentum) * v` : 'v'};
        ${write('W', `${type}(1.0 - uniforms.decay) * W_prev(i) - ${type}(uniforms.lr) * step`)}
      }
    `,
  };
}

/** Whether the fused update can run here: the webgpu backend, and a parameter small enough for one flat dispatch. */
export function canFuseSgd(size: number): boolean {
  return canRunFlat(size);
}

/**
 * One SGD step of `variable` with its `velocity`, on the GPU in one dispatch. Same arithmetic as
 * the stock path in optimizer.ts; the caller checks `canFuseSgd` first.
 */
export function fusedSgdUpdate(variable: tf.Variable, velocity: tf.Variable, grad: tf.Tensor, lr: number, decay: number, momentum: number, nesterov: boolean, gate?: StepGate): void {
  const p = program(variable.size, nesterov, gate !== undefined);
  const uniforms: Uniform[] = [
    { type: 'int32', data: [flatLayout(variable.size).n] },
    { type: 'float32', data: [lr] },
    { type: 'float32', data: [decay] },
    { type: 'float32', data: [momentum] },
  ];
  const { updated } = runUpdateProgram(p, gate ? [grad, gate.gate] : [grad], [velocity, variable], uniforms);
  const [nextVelocity, nextWeight] = updated;
  // A buffer shared with a clone (EMA, lookahead) was not written: the new values came back fresh.
  if (nextVelocity) {
    velocity.assign(nextVelocity);
    nextVelocity.dispose();
  }
  if (nextWeight) {
    variable.assign(nextWeight);
    nextWeight.dispose();
  }
}
