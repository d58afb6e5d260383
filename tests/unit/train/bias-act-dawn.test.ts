import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs';
import type { Activation } from '../../../src/lib/train/kernels/activation-wgsl';
import { countDispatches, expectClose, useDawn } from './webgpu-probes';
import { rng } from '../../fixtures/images';

/**
 * The fused bias+activation (kernels/bias-act.ts) on Dawn/SwiftShader against the tfjs composition
 * (`activate(add(x, bias))`, what the models run otherwise) on webgpu and on the CPU backend, values
 * and tf.grads.
 */

let tf: typeof TF;
let kernels: typeof import('../../../src/lib/train/kernels/bias-act');
let ops: typeof import('../../../src/lib/train/models/ops');
useDawn(async (started) => {
  tf = started;
  kernels = await import('../../../src/lib/train/kernels/bias-act');
  ops = await import('../../../src/lib/train/models/ops');
});

type Shape = [number, number, number, number];

interface Case {
  shape: Shape;
  activation: Activation;
  x: Float32Array;
  bias: Float32Array;
  dy: Float32Array;
}

interface Outputs {
  y: Float32Array;
  dx: Float32Array;
  dbias: Float32Array;
}

function makeCase(shape: Shape, activation: Activation, seed: number): Case {
  const next = rng(Math.imul(seed, 2654435761));
  const uniform = () => next() / 4294967296;
  const size = shape.reduce((a, b) => a * b, 1);
  return {
    shape,
    activation,
    x: Float32Array.from({ length: size }, () => 6 * uniform() - 3),
    bias: Float32Array.from({ length: shape[3] }, () => 2 * uniform() - 1),
    dy: Float32Array.from({ length: size }, () => 2 * uniform() - 1),
  };
}

/** y and the gradients of Σ y·dy, by tf.grads over `f` on the current backend. */
async function run(c: Case, f: (x: TF.Tensor4D, bias: TF.Tensor1D) => TF.Tensor4D): Promise<Outputs> {
  const x = tf.tensor4d(c.x, c.shape);
  const bias = tf.tensor1d(c.bias);
  const dy = tf.tensor4d(c.dy, c.shape);
  const y = tf.tidy(() => f(x, bias));
  const [dx, dbias] = tf.grads((a: TF.Tensor, b: TF.Tensor) => tf.sum(tf.mul(f(a as TF.Tensor4D, b as TF.Tensor1D), dy)))([x, bias]);
  const out = { y: (await y.data()) as Float32Array, dx: (await dx.data()) as Float32Array, dbias: (await dbias.data()) as Float32Array };
  tf.dispose([x, bias, dy, y, dx, dbias]);
  return out;
}

const composed = (activation: Activation) => (x: TF.Tensor4D, bias: TF.Tensor1D) => ops.activate(tf.add(x, bias), activation);
const fused = (activation: Activation) => (x: TF.Tensor4D, bias: TF.Tensor1D) => kernels.biasAct(x, bias, activation);

async function checkCases(cases: Case[], withCpu: boolean) {
  const before = tf.memory().numTensors;
  const own: Outputs[] = [];
  const stock: Outputs[] = [];
  for (const c of cases) {
    own.push(await run(c, fused(c.activation)));
    stock.push(await run(c, composed(c.activation)));
  }
  const cpu: Outputs[] = [];
  if (withCpu) {
    await tf.setBackend('cpu');
    try {
      for (const c of cases) cpu.push(await run(c, composed(c.activation)));
    } finally {
      await tf.setBackend('webgpu');
    }
  }
  cases.forEach((c, i) => {
    const label = `[${c.shape}] ${c.activation}`;
    for (const key of ['y', 'dx', 'dbias'] as const) {
      expectClose(own[i][key], stock[i][key], `${key} vs webgpu ops, ${label}`);
      if (withCpu) expectClose(own[i][key], cpu[i][key], `${key} vs cpu, ${label}`);
    }
  });
  expect(tf.memory().numTensors).toBe(before);
}

describe('fused bias+activation on Dawn', () => {
  it("matches tfjs's composition on webgpu and the CPU backend: airbench's whitening output and odd shapes", async () => {
    await checkCases(
      [
        makeCase([8, 31, 31, 24], 'gelu', 1),
        makeCase([1, 7, 7, 5], 'gelu', 2),
        makeCase([3, 4, 5, 1], 'relu', 3),
        makeCase([2, 1, 1, 100], 'none', 4),
        makeCase([3, 7, 7, 12], 'relu', 5),
      ],
      true,
    );
  });

  it('matches on random shapes (fast-check, fixed seed)', async () => {
    const arb = fc.record({
      batch: fc.integer({ min: 1, max: 4 }),
      h: fc.integer({ min: 1, max: 12 }),
      w: fc.integer({ min: 1, max: 12 }),
      c: fc.integer({ min: 1, max: 70 }),
      activation: fc.constantFrom<Activation>('gelu', 'relu', 'none'),
      seed: fc.integer({ min: 1, max: 1000 }),
    });
    await fc.assert(
      fc.asyncProperty(arb, async (r) => {
        await checkCases([makeCase([r.batch, r.h, r.w, r.c], r.activation, r.seed)], false);
      }),
      { seed: 20261128, numRuns: 30 },
    );
  });

  it('without an input gradient gives the bias gradient alone, in 2 dispatches, and 1 dispatch forward', async () => {
    const c = makeCase([4, 9, 9, 24], 'gelu', 9);
    const x = tf.tensor4d(c.x, c.shape);
    const bias = tf.tensor1d(c.bias);
    const dy = tf.tensor4d(c.dy, c.shape);
    const b = tf.variable(tf.tensor1d(c.bias));
    const before = tf.memory().numTensors;
    const forward = countDispatches(tf, () => kernels.biasAct(x, bias, 'gelu', { inputGradient: false }));
    expect(forward.count).toBe(1);
    const expected = await run(c, composed('gelu'));
    expectClose((await forward.result.data()) as Float32Array, expected.y, 'y');
    forward.result.dispose();
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(kernels.biasAct(x, b, 'gelu', { inputGradient: false }), dy)) as TF.Scalar, [b]);
    expectClose((await grads[b.name].data()) as Float32Array, expected.dbias, 'dbias');
    tf.dispose([value, grads[b.name]]);
    // Backward alone: the customGrad's gradient, counted around tf.grad of the bias only.
    const counted = countDispatches(tf, () => tf.grad((bb: TF.Tensor) => kernels.biasAct(x, bb as TF.Tensor1D, 'gelu', { inputGradient: false }))(bias, dy));
    // 1 forward + 2 backward.
    expect(counted.count).toBe(3);
    expectClose((await counted.result.data()) as Float32Array, expected.dbias, 'dbias via tf.grad');
    counted.result.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, bias, dy, b]);
  });

  it('refuses a bias that does not match the last dimension, with the shapes in the message', () => {
    const x = tf.zeros([2, 3, 3, 4]) as TF.Tensor4D;
    const bias = tf.zeros([3]) as TF.Tensor1D;
    expect(() => kernels.biasAct(x, bias, 'relu')).toThrow(/last dimension \(4\).*\[2,3,3,4\].*\[3\]/);
    tf.dispose([x, bias]);
  });
});
