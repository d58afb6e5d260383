import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs';
import { expectClose, seededValues, uncached } from './webgpu-probes';

/**
 * compute_precision=f16 on Dawn. SwiftShader has no shader-f16, so here the f16 code path runs with
 * its half type written as f32 (the same staging, per-tile sums and pipelines, fp32 rounding) and is
 * held to the fp32 tolerance; the real-f16 checks run only on an adapter with shader-f16.
 */
await import('../../../src/cli/node-gpu');
const probeAdapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
const hasShaderF16 = probeAdapter?.features.has('shader-f16') ?? false;
if (!hasShaderF16) console.info(`compute-precision-dawn: the adapter (${probeAdapter?.info.description ?? 'none'}) has no shader-f16, so the real-f16 checks are skipped; the f16 code path runs with its half type set to f32.`);

let tf: typeof TF;
let registry: typeof import('../../../src/lib/train/kernels/registry');
let precision: typeof import('../../../src/lib/train/kernels/compute-precision');
beforeAll(async () => {
  await import('@tensorflow/tfjs-backend-webgpu');
  tf = await import('@tensorflow/tfjs');
  // initBackend registers the webgpu backend on a device with shader-f16 where the adapter has it.
  const { initBackend } = await import('../../../src/lib/train/backend');
  expect((await initBackend(['webgpu'])).backend).toBe('webgpu');
  registry = await import('../../../src/lib/train/kernels/registry');
  precision = await import('../../../src/lib/train/kernels/compute-precision');
});

afterEach(() => {
  precision.useComputePrecision('f32');
  registry.useKernels('stock');
});

interface ConvCase {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  pad: 'same' | 'valid' | number;
}

/** resnet9's and airbench's kinds of layer at width 1/8 (batch 4), and the odd shapes. */
const CASES: ConvCase[] = [
  { x: [4, 32, 32, 3], filter: [3, 3, 3, 8], strides: [1, 1], pad: 'same' },
  { x: [4, 16, 16, 16], filter: [3, 3, 16, 16], strides: [1, 1], pad: 'same' },
  { x: [4, 8, 8, 32], filter: [3, 3, 32, 64], strides: [1, 1], pad: 'same' },
  { x: [4, 31, 31, 3], filter: [2, 2, 3, 24], strides: [1, 1], pad: 'valid' },
  { x: [1, 7, 7, 5], filter: [3, 3, 5, 6], strides: [1, 1], pad: 'same' },
  { x: [3, 8, 8, 5], filter: [3, 3, 5, 7], strides: [2, 2], pad: 1 },
  { x: [3, 8, 8, 5], filter: [1, 1, 5, 10], strides: [2, 2], pad: 'valid' },
];


interface ConvOut {
  y: Float32Array;
  dW: Float32Array;
  dx: Float32Array;
}

/** The convolution and its two gradients through whatever kernels are registered; with `abs`, of |x|, |W|, |dy|. */
async function convAndGrads(c: ConvCase, seed: number, abs = false): Promise<ConvOut> {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad);
  const make = (shape: [number, number, number, number], s: number) => {
    const values = seededValues(shape.reduce((a, b) => a * b, 1), s);
    return tf.tensor(abs ? values.map(Math.abs) : values, shape) as TF.Tensor4D;
  };
  const [x, filter, dy] = [make(c.x, seed), make(c.filter, seed + 1), make(info.outShape, seed + 2)];
  const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC' };
  const run = (name: string, inputs: TF.NamedTensorMap, extra: object) => tf.engine().runKernel(name, inputs, { ...attrs, ...extra } as unknown as TF.NamedAttrMap) as TF.Tensor;
  const y = run('Conv2D', { x, filter }, { dilations: 1 });
  const dW = run('Conv2DBackpropFilter', { x, dy }, { filterShape: c.filter });
  const dx = run('Conv2DBackpropInput', { dy, filter }, { inputShape: c.x });
  const out = { y: (await y.data()) as Float32Array, dW: (await dW.data()) as Float32Array, dx: (await dx.data()) as Float32Array };
  tf.dispose([x, filter, dy, y, dW, dx]);
  return out;
}

function pipelineKeys(): string[] {
  return Object.keys((tf.backend() as unknown as { pipelineCache: Record<string, unknown> }).pipelineCache);
}

function gpuDevice(): GPUDevice {
  return (tf.backend() as unknown as { device: GPUDevice }).device;
}

describe('the f16 code path with its half type set to f32 (runs everywhere)', () => {
  it('computes every conv and both gradients within the fp32 tolerance of tfjs, on the half pipelines', async () => {
    const before = tf.memory().numTensors;
    const stock = [];
    for (const [i, c] of CASES.entries()) stock.push(await convAndGrads(c, 300 + 5 * i));
    registry.useKernels('custom');
    precision.useComputePrecision('f16', { half: 'f32' });
    const device = gpuDevice();
    device.pushErrorScope('validation');
    const own = [];
    for (const [i, c] of CASES.entries()) own.push(await convAndGrads(c, 300 + 5 * i));
    expect(await device.popErrorScope()).toBeNull();
    for (const [i, c] of CASES.entries()) {
      const what = `x [${c.x}] filter [${c.filter}] stride ${c.strides[0]}`;
      expectClose(own[i].y, stock[i].y, `y, ${what}`);
      expectClose(own[i].dW, stock[i].dW, `dW, ${what}`);
      expectClose(own[i].dx, stock[i].dx, `dx, ${what}`);
    }
    // The three GEMMs ran on pipelines compiled from the half path, not the plain f32 one.
    for (const kernel of ['conv_forward', 'conv_filter_grad', 'conv_input_grad']) {
      expect(pipelineKeys().some((k) => k.includes(`tabtune_${kernel}_`) && k.includes('_half_f32')), kernel).toBe(true);
    }
    expect(registry.describeKernels()).toMatch(/, f16 compute \(emulated in f32 for a test\): conv GEMMs/);
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it('trains resnet9 (width 1/16) for 4 steps under a loss scale with the same losses as f32, the scale untouched', async () => {
    const before = tf.memory().numTensors;
    const run = (mode: 'f32' | 'f16') => resnet9Steps(mode, { half: 'f32' });
    const f32 = await run('f32');
    const f16 = await run('f16');
    f16.losses.forEach((loss, i) => expect(Math.abs(loss - f32.losses[i]), `step ${i + 1}: ${loss} vs ${f32.losses[i]}`).toBeLessThanOrEqual(1e-4 * Math.abs(f32.losses[i])));
    expect(Math.abs(f32.losses[3] - f32.losses[0])).toBeGreaterThan(1e-3);
    expect(f16.scaleAfter).toBe(2 ** 15);
    expect(tf.memory().numTensors).toBe(before);
  }, 240_000);

  it('skips an overflowing step in the fused SGD kernel and halves the scale', async () => {
    const { SgdMomentum } = await import('../../../src/lib/train/optimizer');
    const { DynamicLossScale } = await import('../../../src/lib/train/loss-scale');
    registry.useKernels('custom');
    const before = tf.memory().numTensors;
    // 8 and 3 elements: the fused kernel's vec4 and scalar variants.
    const ws = [tf.tidy(() => tf.variable(tf.linspace(-1, 1, 8))), tf.tidy(() => tf.variable(tf.tensor1d([0.5, -0.5, 2])))];
    const scale = new DynamicLossScale({ initial: 2 ** 10, growthInterval: 2 });
    const optimizer = new SgdMomentum(ws.map((variable) => ({ variable, lrScale: 1 })), { nesterov: false, weightDecay: 0.01, kernels: 'custom', lossScale: scale });
    const loss = (k: number) => () => tf.add(tf.sum(tf.mul(ws[0], k)), tf.sum(tf.mul(ws[1], 1))) as TF.Scalar;
    const values = async () => Promise.all(ws.map(async (w) => Array.from(await uncached(tf, w))));
    tf.dispose(optimizer.step(loss(1), 0.1, 0.9));
    const kept = await values();
    tf.dispose(optimizer.step(loss(Infinity), 0.1, 0.9));
    expect(await values()).toEqual(kept);
    expect((await scale.scale.data())[0]).toBe(2 ** 9);
    tf.dispose(optimizer.step(loss(1), 0.1, 0.9));
    tf.dispose(optimizer.step(loss(1), 0.1, 0.9));
    expect((await scale.scale.data())[0]).toBe(2 ** 10);
    expect(await values()).not.toEqual(kept);
    optimizer.dispose();
    scale.dispose();
    ws.forEach((w) => w.dispose());
    expect(tf.memory().numTensors).toBe(before);
  });

  it.skipIf(hasShaderF16)('falls back to f32 when a trial asks for f16 on an adapter without shader-f16, and its Kernels line says why', async () => {
    const { train } = await import('../../../src/lib/train/loop');
    const { readTrainConfig } = await import('../../../src/lib/recipe/hyperparameters');
    const { syntheticSplits } = await import('../../../src/lib/data/splits');
    const config = readTrainConfig({ model: 'tiny-cnn', width: 2, train_size: 8, val_size: 4, batch_size: 4, epochs: 1, compute_precision: 'f16' });
    registry.useKernels('custom');
    const lines: string[] = [];
    const outcome = await train(config, syntheticSplits({ train: 8, val: 4, test: 4 }), 1, { log: (line) => lines.push(line), shouldStop: () => false });
    expect(outcome.status).toBe('completed');
    expect(lines.find((l) => l.startsWith('Kernels:'))).toMatch(/, fp32 \(compute_precision=f16 needs the adapter feature shader-f16, which this adapter lacks; running in f32\)$/);
    expect(lines[0]).toContain('"compute_precision":"f16"');
    expect(() => precision.useComputePrecision('f16')).toThrow(/needs a WebGPU device with shader-f16/);
  }, 120_000);
});

/**
 * Real f16: each output within (tileK + 2)·2⁻¹¹·(|A|·|B|) + 1e-6·max|ref| of the fp32 reference,
 * where |A|·|B| is the same convolution of the absolute values: operands rounded to f16 (2⁻¹¹ each)
 * and tileK fused multiply-adds per tile sum, each rounding to 2⁻¹¹ of a partial sum no larger
 * than the tile's Σ|a·b|; the f32 accumulation of tile sums adds nothing at this scale.
 */
describe.skipIf(!hasShaderF16)('real f16 compute (adapters with shader-f16 only)', () => {
  it('keeps every conv and both gradients within the stated f16 bound of fp32', async () => {
    const { DEFAULT_FORWARD_TILES } = await import('../../../src/lib/train/kernels/conv-forward');
    const { DEFAULT_FILTER_TILES } = await import('../../../src/lib/train/kernels/conv-filter-grad');
    const { DEFAULT_INPUT_TILES } = await import('../../../src/lib/train/kernels/conv-input-grad');
    // Tests run the fixed default tiles (no autotune): the longest tile sum of the three kernels.
    const tileK = Math.max(DEFAULT_FORWARD_TILES.tileK, DEFAULT_FILTER_TILES.tileK, DEFAULT_INPUT_TILES.tileK);
    const before = tf.memory().numTensors;
    for (const [i, c] of CASES.entries()) {
      const seed = 500 + 5 * i;
      const reference = await convAndGrads(c, seed);
      const magnitude = await convAndGrads(c, seed, true);
      registry.useKernels('custom');
      precision.useComputePrecision('f16');
      const half = await convAndGrads(c, seed);
      precision.useComputePrecision('f32');
      registry.useKernels('stock');
      for (const key of ['y', 'dW', 'dx'] as const) {
        const scale = reference[key].reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        half[key].forEach((v, j) => {
          const bound = (tileK + 2) * 2 ** -11 * magnitude[key][j] + 1e-6 * scale;
          expect(Math.abs(v - reference[key][j]), `${key}[${j}] of x [${c.x}] filter [${c.filter}]`).toBeLessThanOrEqual(bound);
        });
      }
    }
    expect(pipelineKeys().some((k) => k.includes('_half_f16'))).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  }, 240_000);

  it('trains resnet9 (width 1/16) for 4 steps with losses within 1e-2 relative of f32 and finite gradients', async () => {
    const run = async (mode: 'f32' | 'f16') => (await resnet9Steps(mode)).losses;
    const f32 = await run('f32');
    const f16 = await run('f16');
    // The fp32 master weights keep the steps close: a loss off by more than 1 % means the halves lost the gradient.
    f16.forEach((loss, i) => expect(Math.abs(loss - f32[i]), `step ${i + 1}`).toBeLessThanOrEqual(1e-2 * Math.abs(f32[i])));
  }, 240_000);
});

/**
 * Four Nesterov steps of resnet9 (width 1/16, batch 4, fixed inputs and seed) with the own kernels
 * at `mode`, under a dynamic loss scale for f16: the losses, and the scale after them.
 */
async function resnet9Steps(mode: 'f32' | 'f16', options?: { half: 'f32' }): Promise<{ losses: number[]; scaleAfter?: number }> {
  const { createResNet9 } = await import('../../../src/lib/train/models/resnet9');
  const { SgdMomentum } = await import('../../../src/lib/train/optimizer');
  const { DynamicLossScale } = await import('../../../src/lib/train/loss-scale');
  const { batchLoss } = await import('../../../src/lib/train/training-batch');
  const images = tf.randomNormal([4, 32, 32, 3], 0, 1, 'float32', 41) as TF.Tensor4D;
  const targets = tf.tidy(() => tf.oneHot(tf.tensor1d([1, 5, 9, 0], 'int32'), 10)) as TF.Tensor2D;
  registry.useKernels('custom');
  if (options) precision.useComputePrecision(mode, options);
  else precision.useComputePrecision(mode);
  const model = createResNet9(1 / 16, 7);
  const scale = mode === 'f16' ? new DynamicLossScale() : undefined;
  const optimizer = new SgdMomentum(model.params.map((p) => ({ variable: p.variable, lrScale: 1 })), { nesterov: true, weightDecay: 5e-4, kernels: 'custom', lossScale: scale });
  const losses: number[] = [];
  for (let step = 0; step < 4; step++) {
    const loss = optimizer.step(() => batchLoss(model, { images, targets }, 0.2), 0.05, 0.9);
    losses.push((await loss.data())[0]);
    loss.dispose();
  }
  const scaleAfter = scale ? (await scale.scale.data())[0] : undefined;
  optimizer.dispose();
  scale?.dispose();
  model.dispose();
  tf.dispose([images, targets]);
  return { losses, scaleAfter };
}
