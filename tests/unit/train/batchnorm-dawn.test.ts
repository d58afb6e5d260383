import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs';
import type { Activation, ActivationStorage } from '../../../src/lib/train/kernels/batchnorm-act';
import { countDispatches, expectClose, useDawn, uncached } from './webgpu-probes';
import { rng } from '../../fixtures/images';

/**
 * The fused BatchNorm+activation (kernels/batchnorm-*.ts) on Dawn/SwiftShader against the tfjs
 * composition the models use otherwise (on webgpu and on the CPU backend) and a float64 reference.
 */

let tf: typeof TF;
let kernels: typeof import('../../../src/lib/train/kernels/batchnorm-act');
useDawn(async (started) => {
  tf = started;
  kernels = await import('../../../src/lib/train/kernels/batchnorm-act');
});

type Shape = [number, number, number, number];

interface Outputs {
  y: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
  dx: Float32Array;
  dscale: Float32Array;
  dbias: Float32Array;
}

interface Case {
  shape: Shape;
  activation: Activation;
  epsilon: number;
  x: Float32Array;
  scale: Float32Array;
  bias: Float32Array;
  dy: Float32Array;
}

/** Uniform in [0, 1) from the fixtures' xorshift, so a case's data depends on its seed only; the seed is spread first, as small seeds start the stream alike. */
function stream(seed: number): () => number {
  const next = rng(Math.imul(seed, 2654435761));
  return () => next() / 4294967296;
}

function makeCase(shape: Shape, activation: Activation, epsilon: number, seed: number, offset = 0.5, spread = 2): Case {
  const next = stream(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const size = shape.reduce((a, b) => a * b, 1);
  const c = shape[3];
  return {
    shape,
    activation,
    epsilon,
    // Each channel its own mean and spread, as after a conv.
    x: Float32Array.from({ length: size }, (_, i) => offset * ((i % c) - c / 2) + spread * (1 + (i % c) / c) * normal()),
    scale: Float32Array.from({ length: c }, () => 0.5 + next()),
    bias: Float32Array.from({ length: c }, () => normal() * 0.5),
    dy: Float32Array.from({ length: size }, () => normal()),
  };
}

function expectAllClose(actual: Outputs, expected: Outputs | Reference, label: string) {
  for (const key of ['y', 'mean', 'variance', 'dx', 'dscale', 'dbias'] as const) expectClose(actual[key], expected[key], `${label} ${key}`);
}

// ---------------------------------------------------------------------------------------------
// float64 reference

/** erf to ~1e-14: its Taylor series near 0, erfc's continued fraction beyond. */
function erf(x: number): number {
  const a = Math.abs(x);
  if (a < 2.5) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 80; n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  let k = a;
  for (let n = 60; n >= 1; n--) k = a + n / 2 / k;
  return Math.sign(x) * (1 - Math.exp(-a * a) / (Math.sqrt(Math.PI) * k));
}

function act(activation: Activation, z: number): number {
  if (activation === 'relu') return Math.max(z, 0);
  if (activation === 'gelu') return 0.5 * z * (1 + erf(z / Math.SQRT2));
  return z;
}

function actGrad(activation: Activation, z: number): number {
  if (activation === 'relu') return z > 0 ? 1 : 0;
  if (activation === 'gelu') return 0.5 * (1 + erf(z / Math.SQRT2)) + (z * Math.exp(-0.5 * z * z)) / Math.sqrt(2 * Math.PI);
  return 1;
}

type Reference = { [K in keyof Outputs]: Float64Array } & { xhat: Float64Array; invStd: Float64Array };

/** In float64 from the exact batch statistics, or from `given` ones. */
function reference({ shape, activation, epsilon, x, scale, bias, dy }: Case, given?: { mean: Float32Array; variance: Float32Array }): Reference {
  const c = shape[3];
  const rows = x.length / c;
  const mean = new Float64Array(c);
  const variance = new Float64Array(c);
  for (let i = 0; i < x.length; i++) mean[i % c] += x[i] / rows;
  for (let i = 0; i < x.length; i++) variance[i % c] += (x[i] - mean[i % c]) ** 2 / rows;
  if (given) {
    mean.set(given.mean);
    variance.set(given.variance);
  }
  const invStd = variance.map((v) => 1 / Math.sqrt(v + epsilon));
  const xhat = new Float64Array(x.length);
  const y = new Float64Array(x.length);
  const dz = new Float64Array(x.length);
  const dscale = new Float64Array(c);
  const dbias = new Float64Array(c);
  for (let i = 0; i < x.length; i++) {
    const k = i % c;
    xhat[i] = (x[i] - mean[k]) * invStd[k];
    const z = scale[k] * xhat[i] + bias[k];
    y[i] = act(activation, z);
    dz[i] = dy[i] * actGrad(activation, z);
    dbias[k] += dz[i];
    dscale[k] += dz[i] * xhat[i];
  }
  const dx = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const k = i % c;
    dx[i] = scale[k] * invStd[k] * (dz[i] - dbias[k] / rows - (xhat[i] * dscale[k]) / rows);
  }
  return { y, mean, variance, dx, dscale, dbias, xhat, invStd };
}

// ---------------------------------------------------------------------------------------------
// the two implementations

async function read(tensors: TF.Tensor[]): Promise<Float32Array[]> {
  const out = (await Promise.all(tensors.map((t) => t.data()))) as Float32Array[];
  tf.dispose(tensors);
  return out;
}

function inputs(k: Case) {
  const c = k.shape[3];
  return { x: tf.tensor4d(k.x, k.shape), scale: tf.tensor1d(k.scale), bias: tf.tensor1d(k.bias), dy: tf.tensor4d(k.dy, k.shape), c };
}

/** The fused op: outputs, batch statistics and tf.grads of Σ y·dy for x, scale, bias. */
async function fused(k: Case, storage: ActivationStorage = 'f32'): Promise<Outputs> {
  const { x, scale, bias, dy } = inputs(k);
  const forward = tf.tidy(() => {
    const { y, stats } = kernels.batchNormAct(x, scale, bias, k.epsilon, k.activation, { storage });
    return [y, ...tf.unstack(stats)];
  });
  const grads = tf.grads((a, g, b) => tf.sum(tf.mul(kernels.batchNormAct(a as TF.Tensor4D, g as TF.Tensor1D, b as TF.Tensor1D, k.epsilon, k.activation, { storage }).y, dy)))([x, scale, bias]);
  tf.dispose([x, scale, bias, dy]);
  const [y, mean, variance, dx, dscale, dbias] = await read([...forward, ...grads]);
  return { y, mean, variance, dx, dscale, dbias };
}

/** The models' composition: tf.moments, tf.batchNorm, then ops.ts's activation. */
async function stock(k: Case): Promise<Outputs> {
  const { activate } = await import('../../../src/lib/train/models/ops');
  const { x, scale, bias, dy } = inputs(k);
  const compose = (a: TF.Tensor, g: TF.Tensor, b: TF.Tensor) => {
    const { mean, variance } = tf.moments(a, [0, 1, 2]);
    const y = activate(tf.batchNorm(a as TF.Tensor4D, mean as TF.Tensor1D, variance as TF.Tensor1D, b as TF.Tensor1D, g as TF.Tensor1D, k.epsilon), k.activation);
    return { y, mean, variance };
  };
  const forward = tf.tidy(() => Object.values(compose(x, scale, bias)));
  const grads = tf.grads((a, g, b) => tf.sum(tf.mul(compose(a, g, b).y, dy)))([x, scale, bias]);
  tf.dispose([x, scale, bias, dy]);
  const [y, mean, variance, dx, dscale, dbias] = await read([...forward, ...grads]);
  return { y, mean, variance, dx, dscale, dbias };
}

async function onCpu<T>(run: () => Promise<T>): Promise<T> {
  await tf.setBackend('cpu');
  try {
    return await run();
  } finally {
    await tf.setBackend('webgpu');
  }
}

/** Runs `body` and checks it left no tensor behind. */
async function noLeak<T>(body: () => Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const out = await body();
  expect(tf.memory().numTensors).toBe(before);
  return out;
}

// ---------------------------------------------------------------------------------------------

/** Every BatchNorm input shape of the three models at width 1/8 (H, W, C; batch added per case). */
const MODEL_SHAPES: { model: string; hwc: [number, number, number]; activation: Activation; epsilon: number }[] = [
  // resnet9: prep, layer1 (pooled) and res1, layer2 (pooled), layer3 (pooled) and res3
  { model: 'resnet9', hwc: [32, 32, 8], activation: 'relu', epsilon: 1e-5 },
  { model: 'resnet9', hwc: [16, 16, 16], activation: 'relu', epsilon: 1e-5 },
  { model: 'resnet9', hwc: [8, 8, 32], activation: 'relu', epsilon: 1e-5 },
  { model: 'resnet9', hwc: [4, 4, 64], activation: 'relu', epsilon: 1e-5 },
  // airbench: group 1 after the pool and its second conv, groups 2 and 3
  { model: 'airbench', hwc: [15, 15, 8], activation: 'gelu', epsilon: 1e-12 },
  { model: 'airbench', hwc: [7, 7, 32], activation: 'gelu', epsilon: 1e-12 },
  { model: 'airbench', hwc: [3, 3, 32], activation: 'gelu', epsilon: 1e-12 },
  // resnet18 (pre-activation): stages 1–4; [32, 32, 8], [16, 16, 16] and [8, 8, 32] as resnet9's
  { model: 'resnet18', hwc: [4, 4, 32], activation: 'relu', epsilon: 1e-5 },
];

describe('fused BatchNorm+activation on WebGPU (Dawn)', () => {
  MODEL_SHAPES.forEach(({ model, hwc, activation, epsilon }, i) => {
    // Batch 8 except the 32×32 maps (batch 4 keeps the CPU backend's share of the test short).
    const shape: Shape = [hwc[0] === 32 ? 4 : 8, ...hwc];
    it(`${model} [${shape}] ${activation}: outputs, statistics and gradients match tfjs on webgpu, on the CPU and in float64`, async () => {
      const k = makeCase(shape, activation, epsilon, 10 + i);
      const mine = await noLeak(() => fused(k));
      expectAllClose(mine, await noLeak(() => stock(k)), 'webgpu');
      expectAllClose(mine, await onCpu(() => stock(k)), 'cpu');
      expectAllClose(mine, reference(k), 'float64');
    });
  });

  const odd: { shape: Shape; activation: Activation }[] = [
    { shape: [1, 7, 7, 5], activation: 'gelu' },
    { shape: [3, 7, 7, 5], activation: 'relu' },
    { shape: [3, 5, 5, 12], activation: 'none' },
    { shape: [1, 1, 1, 3], activation: 'relu' },
    { shape: [2, 3, 3, 100], activation: 'gelu' },
  ];
  for (const { shape, activation } of odd) {
    it(`odd shape [${shape}] ${activation} matches tfjs on webgpu and the float64 reference`, async () => {
      const k = makeCase(shape, activation, 1e-5, shape.reduce((a, b) => a + b, 0));
      const mine = await noLeak(() => fused(k));
      expectAllClose(mine, await stock(k), 'webgpu');
      expectAllClose(mine, reference(k), 'float64');
    });
  }

  it('keeps a constant channel finite with eps 1e-12: variance exactly 0, y = act(bias), no NaN in any gradient', async () => {
    const k = makeCase([4, 5, 5, 6], 'gelu', 1e-12, 3);
    for (let i = 2; i < k.x.length; i += 6) k.x[i] = 0.7; // channel 2 constant
    const mine = await noLeak(() => fused(k));
    for (const values of Object.values(mine)) expect(values.every(Number.isFinite)).toBe(true);
    expect(mine.variance[2]).toBe(0);
    expect(mine.mean[2]).toBeCloseTo(0.7, 6);
    expect(mine.dscale[2]).toBe(0);
    for (let i = 2; i < k.x.length; i += 6) expect(mine.y[i]).toBeCloseTo(act('gelu', k.bias[2]), 5);
    expectAllClose(mine, reference(k), 'float64');
  });

  it('keeps the variance accurate when it is tiny beside mean² (mean 1000, std 1e-3, eps 1e-12)', async () => {
    // 288 rows: three tiles of rows to merge (channel-tiles.ts), whose f32 means alone are only good to 6e-5.
    const k = makeCase([8, 6, 6, 4], 'none', 1e-12, 4, 0, 1e-3);
    for (let i = 0; i < k.x.length; i++) k.x[i] = Math.fround(1000 + k.x[i]);
    const mine = await noLeak(() => fused(k));
    const ref = reference(k);
    // Per channel, relative: these variances (1e-6) are far below the tolerance's absolute 1e-6.
    // (tf.moments is off by up to 4e-3 here.)
    ref.variance.forEach((v, i) => expect(Math.abs(mine.variance[i] - v)).toBeLessThanOrEqual(1e-5 * v));
    // Within one f32 ulp at 1000 (rounding the shift's sum, then the mean).
    ref.mean.forEach((m, i) => expect(Math.abs(mine.mean[i] - m)).toBeLessThanOrEqual(2 ** -14));
  });

  it('matches the float64 reference on random shapes, activations and eps (fast-check, fixed seed)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          n: fc.integer({ min: 1, max: 4 }),
          h: fc.integer({ min: 1, max: 6 }),
          w: fc.integer({ min: 1, max: 6 }),
          c: fc.integer({ min: 1, max: 70 }),
          activation: fc.constantFrom<Activation>('relu', 'gelu', 'none'),
          epsilon: fc.constantFrom(1e-5, 1e-12),
          seed: fc.integer({ min: 1, max: 1000 }),
        }),
        async ({ n, h, w, c, activation, epsilon, seed }) => {
          const k = makeCase([n, h, w, c], activation, epsilon, seed);
          const mine = await noLeak(() => fused(k));
          const exact = reference(k);
          expectClose(mine.mean, exact.mean, 'mean');
          expectClose(mine.variance, exact.variance, 'variance');
          // The rest from the kernel's own statistics: with two rows of nearly equal values, dx
          // cancels to a twentieth of its terms, and the f32 rounding of the mean alone (shared by
          // any fp32 BatchNorm, tfjs's included) would exceed the tolerance.
          expectAllClose(mine, reference(k, mine), `[${[n, h, w, c]}] ${activation}`);
        },
      ),
      { seed: 20261128, numRuns: 30 },
    );
  });

  it('moves the running statistics in the statistics dispatch: in place, or in a fresh buffer when a clone shares it', async () => {
    const k = makeCase([4, 6, 6, 12], 'relu', 1e-5, 31);
    const ref = reference(k);
    const rows = k.x.length / 12;
    const momentum = 0.3;
    const start = { mean: tf.randomNormal([12], 0, 1, 'float32', 1), variance: tf.randomUniform([12], 0.5, 2, 'float32', 2) };
    const startValues = { mean: await uncached(tf, start.mean), variance: await uncached(tf, start.variance) };
    const owned = (t: TF.Tensor) => {
      const copy = tf.add(t, 0);
      const variable = tf.variable(copy, false);
      copy.dispose();
      return variable;
    };
    const { batchNormActGrad } = await import('../../../src/lib/train/kernels/batchnorm-backward');
    const { x, scale, bias, dy } = inputs(k);
    for (const shared of [false, true]) {
      const running = { mean: shared ? tf.variable(start.mean, false) : owned(start.mean), variance: shared ? tf.variable(start.variance, false) : owned(start.variance), momentum };
      // A value read before is cached on the CPU: the in-place write must not leave it stale.
      await running.mean.data();
      const before = tf.memory().numTensors;
      const forward = countDispatches(tf, () => tf.tidy(() => kernels.batchNormAct(x, scale, bias, k.epsilon, k.activation, { running }).stats));
      // Statistics (tiles, then merge with the running update) and the normalize pass.
      expect(forward.count).toBe(3);
      const backward = countDispatches(tf, () => batchNormActGrad(dy, { storage: 'f32', tensor: x }, forward.result, scale, bias, k.epsilon, k.activation));
      expect(backward.count).toBe(3);
      tf.dispose([forward.result, backward.result.dx, backward.result.dscale, backward.result.dbias]);
      expect(tf.memory().numTensors).toBe(before);
      const expectedMean = ref.mean.map((m, i) => startValues.mean[i] * (1 - momentum) + m * momentum);
      const expectedVariance = ref.variance.map((v, i) => startValues.variance[i] * (1 - momentum) + ((v * rows) / (rows - 1)) * momentum);
      expectClose((await running.mean.data()) as Float32Array, expectedMean, `${shared ? 'shared' : 'in place'} running mean`);
      expectClose((await running.variance.data()) as Float32Array, expectedVariance, `${shared ? 'shared' : 'in place'} running variance`);
      // The tensors the running statistics were made from (their buffers, when shared) are untouched.
      expect(await uncached(tf, start.mean)).toEqual(startValues.mean);
      expect(await uncached(tf, start.variance)).toEqual(startValues.variance);
      tf.dispose([running.mean, running.variance]);
    }
    tf.dispose([x, scale, bias, dy, start.mean, start.variance]);
  });

  it('keeps a frozen scale off the tape: x and bias gradients as with a learned scale, none for the scale', async () => {
    const k = makeCase([2, 4, 4, 8], 'gelu', 1e-12, 5);
    const learned = await fused(k);
    const before = tf.memory().numTensors;
    const { x, scale, bias, dy } = inputs(k);
    const frozen = (a: TF.Tensor, b: TF.Tensor) => tf.sum(tf.mul(kernels.batchNormAct(a as TF.Tensor4D, scale, b as TF.Tensor1D, k.epsilon, k.activation, { learnScale: false }).y, dy));
    const [dx, dbias] = await read(tf.grads(frozen)([x, bias]));
    expectClose(dx, learned.dx, 'dx');
    expectClose(dbias, learned.dbias, 'dbias');
    expect(tf.memory().numTensors).toBe(before + 4);
    // The scale is no input of the op: asking for its gradient finds no path from it.
    expect(() => tf.grads((g: TF.Tensor) => tf.sum(kernels.batchNormAct(x, g as TF.Tensor1D, bias, 1e-5, 'gelu', { learnScale: false }).y))([scale])).toThrow(/Cannot compute gradient/);
    tf.dispose([x, scale, bias, dy]);
  });
});

describe('fp16 activation storage', () => {
  /**
   * The bound, derived from x̂'s rounding: a half keeps 11 significant bits and WGSL lets
   * pack2x16float round either way, so |x̂₁₆ − x̂| ≤ e = 2⁻¹⁰·|x̂| + 2⁻¹⁴ (the second term covers values
   * flushed below the normal range). With s = scale, σ⁻¹ = invStd, A = mean(dz·x̂) and M rows,
   * first order:
   *   δdz_i ≤ |dy_i|·L·|s|·e_i, L = 0 (none), 2φ(0) < 0.8 (GELU's |act″|), and for ReLU |dy_i| where
   *   |z_i| ≤ |s|·e_i (the sign may flip) and 0 elsewhere;
   *   δΣdz ≤ Σ δdz;  δΣdz·x̂ ≤ Σ (δdz·(|x̂| + e) + |dz|·e);
   *   δdx_i ≤ |s|σ⁻¹·(δdz_i + δΣdz/M + e_i·(|A| + δA) + |x̂_i|·δA),  δA = δΣdz·x̂/M;
   * plus the fp32 tolerance between two fp32 runs. y and the statistics do not change.
   */
  function f16Bound(k: Case, ref: Reference) {
    const c = k.shape[3];
    const rows = k.x.length / c;
    const e = ref.xhat.map((v) => 2 ** -10 * Math.abs(v) + 2 ** -14);
    const ddz = new Float64Array(k.x.length);
    const dSumDz = new Float64Array(c);
    const dSumDzXhat = new Float64Array(c);
    for (let i = 0; i < k.x.length; i++) {
      const ch = i % c;
      const s = Math.abs(k.scale[ch]);
      const z = k.scale[ch] * ref.xhat[i] + k.bias[ch];
      if (k.activation === 'gelu') ddz[i] = Math.abs(k.dy[i]) * 0.8 * s * e[i];
      if (k.activation === 'relu') ddz[i] = Math.abs(z) <= s * e[i] ? Math.abs(k.dy[i]) : 0;
      const dz = k.dy[i] * actGrad(k.activation, z);
      dSumDz[ch] += ddz[i];
      dSumDzXhat[ch] += ddz[i] * (Math.abs(ref.xhat[i]) + e[i]) + Math.abs(dz) * e[i];
    }
    const dx = ref.xhat.map((xh, i) => {
      const ch = i % c;
      const a = ref.dscale[ch] / rows;
      const dA = dSumDzXhat[ch] / rows;
      return Math.abs(k.scale[ch]) * ref.invStd[ch] * (ddz[i] + dSumDz[ch] / rows + e[i] * (Math.abs(a) + dA) + Math.abs(xh) * dA);
    });
    return { dx, dscale: dSumDzXhat, dbias: dSumDz };
  }

  const cases: { shape: Shape; activation: Activation; epsilon: number }[] = [
    { shape: [4, 8, 8, 16], activation: 'relu', epsilon: 1e-5 },
    { shape: [4, 7, 7, 32], activation: 'gelu', epsilon: 1e-12 },
    { shape: [3, 5, 5, 5], activation: 'none', epsilon: 1e-5 },
    { shape: [2, 3, 3, 7], activation: 'gelu', epsilon: 1e-5 },
  ];
  for (const { shape, activation, epsilon } of cases) {
    it(`[${shape}] ${activation}: gradients within the derived f16 bound of the f32 path, forward unchanged`, async () => {
      const k = makeCase(shape, activation, epsilon, 7);
      const f32 = await fused(k, 'f32');
      const f16 = await noLeak(() => fused(k, 'f16'));
      for (const key of ['y', 'mean', 'variance'] as const) expect(f16[key]).toEqual(f32[key]);
      const bound = f16Bound(k, reference(k));
      for (const key of ['dx', 'dscale', 'dbias'] as const) {
        const tolerance = 1e-4 * Math.max(...f32[key].map(Math.abs)) + 1e-6;
        f16[key].forEach((v, i) => expect(Math.abs(v - f32[key][i]), `${key}[${i}]`).toBeLessThanOrEqual(bound[key][i] + tolerance));
      }
      // Not trivially equal: the halves did round.
      expect(f16.dx).not.toEqual(f32.dx);
    });
  }
});

describe('models on the fused BatchNorm', () => {
  /**
   * One training step's loss, parameter gradients and updated running statistics under
   * useKernels(mode), from the same weights and running statistics.
   */
  async function step(model: import('../../../src/lib/train/models/model').Model, images: TF.Tensor4D, labels: TF.Tensor2D, mode: 'custom' | 'stock') {
    const { describeKernels, useKernels } = await import('../../../src/lib/train/kernels/registry');
    const saved = model.buffers.map((b) => b.clone());
    useKernels(mode);
    try {
      expect(describeKernels().includes('BatchNorm+activation fused')).toBe(mode === 'custom');
      const before = tf.memory().numTensors;
      const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, model.forward(images, true)) as TF.Scalar, model.params.map((p) => p.variable));
      const out = await read([value, ...model.params.map((p) => grads[p.variable.name])]);
      const buffers = await Promise.all(model.buffers.map((b) => b.data() as Promise<Float32Array>));
      expect(tf.memory().numTensors).toBe(before);
      return { loss: out[0][0], grads: out.slice(1), buffers };
    } finally {
      useKernels('stock');
      model.buffers.forEach((b, i) => b.assign(saved[i]));
      tf.dispose(saved);
    }
  }

  /** Each tensor within 1e-3 of its largest stock value (relative), and the same loss. */
  function expectSameStep(custom: Awaited<ReturnType<typeof step>>, stockStep: Awaited<ReturnType<typeof step>>) {
    expect(Math.abs(custom.loss - stockStep.loss)).toBeLessThanOrEqual(1e-3 * Math.abs(stockStep.loss));
    custom.grads.forEach((g, i) => expectClose(g, stockStep.grads[i], `gradient ${i}`, 1e-3));
    custom.buffers.forEach((b, i) => expectClose(b, stockStep.buffers[i], `running statistic ${i}`, 1e-3));
    // Not the same kernels twice: fp32 sums in another order differ in the last bits somewhere.
    expect(custom.grads.some((g, i) => g.some((v, j) => v !== stockStep.grads[i][j]))).toBe(true);
  }

  const batch = (n: number, seed: number) => ({
    images: tf.randomNormal([n, 32, 32, 3], 0, 1, 'float32', seed) as TF.Tensor4D,
    labels: tf.oneHot(tf.tensor1d([1, 7, 3, 3, 0, 9, 2, 5].slice(0, n), 'int32'), 10) as TF.Tensor2D,
  });

  it('resnet9 at width 1/8: a training step under kernels=custom gives the stock loss, gradients and running statistics within 1e-3', async () => {
    const { createResNet9 } = await import('../../../src/lib/train/models/resnet9');
    const model = createResNet9(0.125, 1);
    const { images, labels } = batch(2, 11);
    const custom = await step(model, images, labels, 'custom');
    const stockStep = await step(model, images, labels, 'stock');
    expectSameStep(custom, stockStep);
    // The step did train the running statistics (momentum 0.1 of a non-trivial batch).
    expect(custom.buffers[0]).not.toEqual(await model.buffers[0].data());
    tf.dispose([images, labels]);
    model.dispose();
  });

  it('airbench at width 1/8 (GELU, frozen scales, momentum 0.4, eps 1e-12): the same', async () => {
    const { createAirbench } = await import('../../../src/lib/train/models/airbench');
    const whitening = tf.randomNormal([2, 2, 3, 24], 0, 0.5, 'float32', 3) as TF.Tensor4D;
    const model = createAirbench(0.125, 1, whitening);
    whitening.dispose();
    const { images, labels } = batch(2, 12);
    expectSameStep(await step(model, images, labels, 'custom'), await step(model, images, labels, 'stock'));
    tf.dispose([images, labels]);
    model.dispose();
  });
});
