import * as tf from '@tensorflow/tfjs';
import type { Uniform } from './program';
import { runUpdateProgram, type UpdateProgram } from './update-program';

/**
 * The training loss in two dispatches, one forward and one backward, where
 * tf.losses.softmaxCrossEntropy runs about twenty small ones. The same math: targets smoothed as
 * t·(1 − s) + s/C, per row −Σ t·(z − logΣexp z) (the log-sum-exp shifted by the row's max), the
 * mean over rows; the logits' gradient is dy·(softmax(z) − t)/N, which, like tfjs's, takes Σt = 1.
 * Targets get no gradient (they are data). One workgroup sums the whole batch: at a batch of a few
 * thousand rows of ten classes that is a few microseconds, and it saves a second reduction pass.
 */

const WORKGROUP = 64;
const UNIFORMS = 'rows : i32, classes : i32, keep : f32, spread : f32,';

/** WGSL: row r's max and log Σ exp(z − max), and the smoothed target of element e. */
const ROW_FUNCTIONS = `
  fn rowMax(r : i32) -> f32 {
    var m = Z(r * uniforms.classes);
    for (var c = 1; c < uniforms.classes; c = c + 1) { m = max(m, Z(r * uniforms.classes + c)); }
    return m;
  }
  fn rowLogSumExp(r : i32, m : f32) -> f32 {
    var s = 0.0;
    for (var c = 0; c < uniforms.classes; c = c + 1) { s = s + exp(Z(r * uniforms.classes + c) - m); }
    return log(s);
  }
  fn smoothed(e : i32) -> f32 { return T(e) * uniforms.keep + uniforms.spread; }
`;

const forwardProgram: UpdateProgram = {
  shaderKey: 'softmax_xent_forward',
  workgroupSize: WORKGROUP,
  dispatch: [1, 1, 1],
  uniforms: UNIFORMS,
  reads: [
    { name: 'Z', component: 1 },
    { name: 'T', component: 1 },
  ],
  updates: [],
  outputs: [{ name: 'Loss', component: 1, shape: [] }],
  declarations: `${ROW_FUNCTIONS}
    var<workgroup> part : array<f32, ${WORKGROUP}>;`,
  main: `
    let lane = i32(localIndex);
    var acc = 0.0;
    for (var r = lane; r < uniforms.rows; r = r + ${WORKGROUP}) {
      let m = rowMax(r);
      let lse = rowLogSumExp(r, m);
      var row = 0.0;
      for (var c = 0; c < uniforms.classes; c = c + 1) {
        let e = r * uniforms.classes + c;
        row = row + smoothed(e) * ((Z(e) - m) - lse);
      }
      acc = acc - row;
    }
    part[lane] = acc;
    workgroupBarrier();
    for (var stride = ${WORKGROUP / 2}; stride > 0; stride = stride / 2) {
      if (lane < stride) {
        part[lane] = part[lane] + part[lane + stride];
      }
      workgroupBarrier();
    }
    if (lane == 0) {
      Loss[0] = part[0] / f32(uniforms.rows);
    }`,
};

function backwardProgram(rows: number, classes: number): UpdateProgram {
  return {
    shaderKey: 'softmax_xent_backward',
    workgroupSize: WORKGROUP,
    dispatch: [Math.ceil((rows * classes) / WORKGROUP), 1, 1],
    uniforms: UNIFORMS,
    reads: [
      { name: 'Z', component: 1 },
      { name: 'T', component: 1 },
      { name: 'DY', component: 1 },
    ],
    updates: [],
    outputs: [{ name: 'DZ', component: 1, shape: [rows, classes] }],
    declarations: ROW_FUNCTIONS,
    main: `
      let e = i32(globalId.x);
      if (e < uniforms.rows * uniforms.classes) {
        let r = e / uniforms.classes;
        let m = rowMax(r);
        let p = exp((Z(e) - m) - rowLogSumExp(r, m));
        DZ[e] = DY(0) * (p - smoothed(e)) / f32(uniforms.rows);
      }`,
  };
}

/**
 * tf.losses.softmaxCrossEntropy(targets, logits, undefined, labelSmoothing) on the webgpu backend:
 * the mean over the batch, differentiable in the logits.
 */
export function softmaxCrossEntropy(targets: tf.Tensor2D, logits: tf.Tensor2D, labelSmoothing: number): tf.Scalar {
  const [rows, classes] = logits.shape;
  // The smoothing's two constants rounded to f32 as tfjs's scalar ops round them.
  const s = Math.fround(labelSmoothing);
  const uniforms: Uniform[] = [
    { type: 'int32', data: [rows] },
    { type: 'int32', data: [classes] },
    { type: 'float32', data: [labelSmoothing > 0 ? Math.fround(1 - s) : 1] },
    { type: 'float32', data: [labelSmoothing > 0 ? Math.fround(s / classes) : 0] },
  ];
  const loss = tf.customGrad((z, save) => {
    (save as tf.GradSaveFunc)([z as tf.Tensor]);
    return {
      value: runUpdateProgram(forwardProgram, [z as tf.Tensor, targets], [], uniforms).outputs[0],
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => runUpdateProgram(backwardProgram(rows, classes), [saved[0], targets, dy], [], uniforms).outputs[0],
    };
  });
  return loss(logits) as tf.Scalar;
}

/** The Kernels line's words for the loss. */
export function describeSoftmaxCrossEntropy(): string {
  return 'softmax cross-entropy fused (1 dispatch forward, 1 backward)';
}
