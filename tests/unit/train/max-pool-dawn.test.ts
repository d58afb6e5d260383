import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs';
import { countDispatches, expectClose, useDawn } from './webgpu-probes';
import { rng } from '../../fixtures/images';

/**
 * The own MaxPoolGrad (2×2, stride 2, unpadded) and global max over H×W (kernels/max-pool.ts) on
 * Dawn/SwiftShader against tfjs's webgpu kernels and its CPU backend, through tf.grads as the models
 * reach them.
 */

let tf: typeof TF;
let registry: typeof import('../../../src/lib/train/kernels/registry');
let pool: typeof import('../../../src/lib/train/kernels/max-pool');
useDawn(async (started) => {
  tf = started;
  registry = await import('../../../src/lib/train/kernels/registry');
  pool = await import('../../../src/lib/train/kernels/max-pool');
});

afterEach(() => registry.useKernels('stock'));

type Shape = [number, number, number, number];

/** Values in [-3, 3), or with `levels`, one of that many values (pools with ties). */
function values(size: number, seed: number, levels?: number): Float32Array {
  const next = rng(Math.imul(seed, 2654435761));
  return Float32Array.from({ length: size }, () => {
    const u = next() / 4294967296;
    return levels ? Math.floor(u * levels) : 6 * u - 3;
  });
}

interface Outputs {
  y: Float32Array;
  dx: Float32Array;
}

type Op = (x: TF.Tensor4D) => TF.Tensor;
const pool2: Op = (x) => tf.maxPool(x, 2, 2, 'valid');
const globalMax: Op = (x) => tf.max(x, [1, 2]);

/** op(x) and the gradient of Σ op(x)·dy with respect to x, on the current backend and kernels. */
async function run(op: Op, shape: Shape, seed: number, levels?: number): Promise<Outputs> {
  const x = tf.tensor4d(values(shape.reduce((a, b) => a * b, 1), seed, levels), shape);
  const y = op(x);
  const dy = tf.tensor(values(y.size, seed + 1), y.shape);
  const dx = tf.grad((a: TF.Tensor) => tf.sum(tf.mul(op(a as TF.Tensor4D), dy)))(x);
  const out = { y: (await y.data()) as Float32Array, dx: (await dx.data()) as Float32Array };
  tf.dispose([x, y, dy, dx]);
  return out;
}

async function check(op: Op, shapes: Shape[], options: { cpu: boolean; levels?: number }) {
  const before = tf.memory().numTensors;
  pool.resetMaxPoolCalls();
  registry.useKernels('custom');
  const own: Outputs[] = [];
  for (const [i, s] of shapes.entries()) own.push(await run(op, s, 10 + i, options.levels));
  const calls = { ...pool.maxPoolCalls };
  registry.useKernels('stock');
  const stock: Outputs[] = [];
  for (const [i, s] of shapes.entries()) stock.push(await run(op, s, 10 + i, options.levels));
  const cpu: Outputs[] = [];
  if (options.cpu) {
    await tf.setBackend('cpu');
    try {
      for (const [i, s] of shapes.entries()) cpu.push(await run(op, s, 10 + i, options.levels));
    } finally {
      await tf.setBackend('webgpu');
    }
  }
  shapes.forEach((s, i) => {
    for (const key of ['y', 'dx'] as const) {
      expectClose(own[i][key], stock[i][key], `${key} vs webgpu stock, [${s}]`);
      if (options.cpu) expectClose(own[i][key], cpu[i][key], `${key} vs cpu, [${s}]`);
    }
  });
  expect(tf.memory().numTensors).toBe(before);
  return calls;
}

// Every pooled shape of resnet9 and airbench at width 1/8, batch 8.
const MODEL_POOLS: Shape[] = [[8, 32, 32, 16], [8, 16, 16, 32], [8, 8, 8, 64], [8, 31, 31, 8], [8, 15, 15, 32], [8, 7, 7, 32]];
const ODD_POOLS: Shape[] = [[1, 7, 7, 5], [3, 5, 4, 1], [2, 2, 2, 3], [1, 3, 2, 7]];

describe('own max-pool kernels on Dawn', () => {
  it("MaxPoolGrad matches tfjs's webgpu kernel and the CPU backend on the models' pools and odd shapes", async () => {
    const calls = await check(pool2, [...MODEL_POOLS, ...ODD_POOLS], { cpu: true });
    expect(calls).toMatchObject({ gradOwn: MODEL_POOLS.length + ODD_POOLS.length, gradStock: 0 });
  });

  it('MaxPoolGrad sends ties to the last maximum of a window, as tfjs’s webgpu kernel does', async () => {
    await check(pool2, [[2, 6, 6, 4], [1, 9, 8, 3]], { cpu: false, levels: 3 });
  });

  it('MaxPoolGrad matches on random shapes (fast-check, fixed seed)', async () => {
    const arb = fc.record({ b: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 2, max: 11 }), w: fc.integer({ min: 2, max: 11 }), c: fc.integer({ min: 1, max: 9 }) });
    await fc.assert(
      fc.asyncProperty(arb, async (r) => {
        await check(pool2, [[r.b, r.h, r.w, r.c]], { cpu: false });
      }),
      { seed: 20261128, numRuns: 25 },
    );
  });

  it('hands other pools to tfjs: 3×3, stride 1, same padding', async () => {
    const calls = await check((x) => tf.maxPool(x, 3, 1, 'same'), [[2, 6, 6, 3]], { cpu: false });
    expect(calls).toMatchObject({ gradOwn: 0, gradStock: 1 });
    const strided = await check((x) => tf.maxPool(x, 2, 2, 'same'), [[2, 5, 5, 3]], { cpu: false });
    expect(strided).toMatchObject({ gradOwn: 0, gradStock: 1 });
  });

  it('global max over H×W matches tfjs on webgpu and the CPU backend, with keepDims and negative axes', async () => {
    const shapes: Shape[] = [[8, 4, 4, 64], [8, 3, 3, 32], [1, 1, 1, 5], [3, 7, 5, 5], [2, 1, 9, 1]];
    expect((await check(globalMax, shapes, { cpu: true })).globalOwn).toBe(2 * shapes.length);
    expect((await check((x) => tf.max(x, [-3, -2], true), [[2, 3, 4, 6]], { cpu: true })).globalOwn).toBe(2);
  });

  it('global max hands every other reduction to tfjs', async () => {
    const calls = await check((x) => tf.max(x, [2, 3]), [[2, 3, 4, 6]], { cpu: false });
    expect(calls).toMatchObject({ globalOwn: 0 });
    expect(calls.globalStock).toBeGreaterThan(0);
  });

  it('each runs in one dispatch', () => {
    registry.useKernels('custom');
    const x = tf.randomUniform([4, 8, 8, 16], -1, 1, 'float32', 3) as TF.Tensor4D;
    const y = tf.maxPool(x, 2, 2, 'valid');
    const dy = tf.onesLike(y);
    const attrs = { filterSize: 2, strides: 2, pad: 'valid' } as unknown as TF.NamedAttrMap;
    const grad = countDispatches(tf, () => tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: y }, attrs) as TF.Tensor);
    expect(grad.count).toBe(1);
    const global = countDispatches(tf, () => tf.max(x, [1, 2]));
    expect(global.count).toBe(1);
    tf.dispose([x, y, dy, grad.result, global.result]);
  });
});
