import * as tf from '@tensorflow/tfjs';
import { canRunFlat, flatLayout, runUpdateProgram, type UpdateProgram } from './update-program';

/**
 * A running average of one state tensor moved towards its source in one dispatch,
 *   avg' = d·avg + (1 − d)·w,
 * and with `copyBack` (airbench's lookahead) the source replaced by it in the same dispatch, w' = avg'.
 * The tfjs composition ran two multiplies and an add per tensor (and an assign). The decay changes
 * with the step, so it travels as a uniform: one pipeline per variant serves every call.
 */

function program(size: number, copyBack: boolean): UpdateProgram {
  const { component, type, workgroupSize, dispatch } = flatLayout(size);
  return {
    shaderKey: `weight_average_${copyBack ? 'copy' : 'keep'}_${component}`,
    workgroupSize,
    dispatch,
    uniforms: 'n : i32, decay : f32,',
    reads: copyBack ? [] : [{ name: 'W', component }],
    updates: copyBack ? [{ name: 'A', component }, { name: 'W', component }] : [{ name: 'A', component }],
    outputs: [],
    main: `
      let i = i32(globalId.x);
      if (i < uniforms.n) {
        let d = ${type}(uniforms.decay);
        let a = d * A_prev(i) + (${type}(1.0) - d) * ${copyBack ? 'W_prev(i)' : 'W(i)'};
        A[i] = a;
        ${copyBack ? 'W[i] = a;' : ''}
      }
    `,
  };
}

/** Whether the one-dispatch average can run for a tensor of `size` floats. */
export function canFuseAverage(size: number): boolean {
  return canRunFlat(size);
}

/**
 * avg' = decay·avg + (1 − decay)·source, on the GPU in one dispatch; with `copyBack` the source
 * takes the new average too. Same arithmetic as the tfjs ops in ema.ts; the caller checks
 * `canFuseAverage` first.
 */
export function fusedAverageUpdate(average: tf.Variable, source: tf.Variable, decay: number, copyBack: boolean): void {
  const { n } = flatLayout(average.size);
  const uniforms = [
    { type: 'int32' as const, data: [n] },
    { type: 'float32' as const, data: [decay] },
  ];
  const { updated } = copyBack
    ? runUpdateProgram(program(average.size, true), [], [average, source], uniforms)
    : runUpdateProgram(program(average.size, false), [source], [average], uniforms);
  // A buffer shared with another tensor was not written in place: its new value came back fresh.
  [average, source].forEach((variable, i) => {
    const next = updated[i];
    if (!next) return;
    variable.assign(next);
    next.dispose();
  });
}
