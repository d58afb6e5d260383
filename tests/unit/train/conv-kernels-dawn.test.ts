import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs';
import { expectClose, seededValues, startDawn } from './webgpu-probes';

let tf: typeof TF;
let registry: typeof import('../../../src/lib/train/kernels/registry');
let geometry: typeof import('../../../src/lib/train/kernels/conv-geometry');
let filterGrad: typeof import('../../../src/lib/train/kernels/conv-filter-grad');
let inputGrad: typeof import('../../../src/lib/train/kernels/conv-input-grad');
let autotune: typeof import('../../../src/lib/train/kernels/conv-autotune');
beforeAll(async () => {
  tf = await startDawn();
  registry = await import('../../../src/lib/train/kernels/registry');
  geometry = await import('../../../src/lib/train/kernels/conv-geometry');
  filterGrad = await import('../../../src/lib/train/kernels/conv-filter-grad');
  inputGrad = await import('../../../src/lib/train/kernels/conv-input-grad');
  autotune = await import('../../../src/lib/train/kernels/conv-autotune');
});

afterEach(() => {
  registry.useKernels('stock');
  filterGrad.setFilterGradTiles(filterGrad.DEFAULT_FILTER_TILES);
  inputGrad.setInputGradTiles(inputGrad.DEFAULT_INPUT_TILES);
  autotune.clearTunedTiles();
  autotune.clearAutotuneMemory();
});

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

/** One convolution whose two gradients are checked: x's shape, the filter's, strides and padding. */
interface ConvCase {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const label = (c: ConvCase) => `x [${c.x}] filter [${c.filter}] stride ${c.strides.join('×')} pad ${JSON.stringify(c.pad)}`;


interface Inputs {
  x: Float32Array;
  filter: Float32Array;
  dy: Float32Array;
  dyShape: [number, number, number, number];
}

function inputsFor(c: ConvCase, seed: number): Inputs {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad, c.dimRoundingMode);
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  return {
    x: seededValues(size(c.x), seed),
    filter: seededValues(size(c.filter), seed + 1),
    dy: seededValues(size(info.outShape), seed + 2),
    dyShape: info.outShape,
  };
}

interface Gradients {
  /** The forward convolution's output, checked beside its two gradients. */
  y: Float32Array;
  dW: Float32Array;
  dx: Float32Array;
}

/** The convolution and both its gradients through the kernels registered on the current backend. */
async function gradients(c: ConvCase, v: Inputs): Promise<Gradients> {
  const x = tf.tensor4d(v.x, c.x);
  const filter = tf.tensor4d(v.filter, c.filter);
  const dy = tf.tensor4d(v.dy, v.dyShape);
  const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: c.dimRoundingMode };
  const dW = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: c.filter } as unknown as TF.NamedAttrMap) as TF.Tensor;
  const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, { ...attrs, inputShape: c.x } as unknown as TF.NamedAttrMap) as TF.Tensor;
  const y = tf.engine().runKernel('Conv2D', { x, filter }, { ...attrs, dilations: 1 } as unknown as TF.NamedAttrMap) as TF.Tensor;
  expect(dW.shape).toEqual(c.filter);
  expect(dx.shape).toEqual(c.x);
  expect(y.shape).toEqual(v.dyShape);
  const out = { y: (await y.data()) as Float32Array, dW: (await dW.data()) as Float32Array, dx: (await dx.data()) as Float32Array };
  tf.dispose([x, filter, dy, dW, dx, y]);
  return out;
}

function gpuDevice(): GPUDevice {
  return (tf.backend() as unknown as { device: GPUDevice }).device;
}

/**
 * Each case's gradients from the own kernels, tfjs's webgpu kernels and tfjs's CPU backend; the
 * own ones must match both. Checks that the own kernels ran, raised no validation error and left
 * no tensor behind.
 */
async function checkAgainstReferences(cases: ConvCase[], references: 'stock' | 'stock+cpu' = 'stock+cpu') {
  const inputs = cases.map((c, i) => inputsFor(c, 100 + 7 * i));
  const before = tf.memory().numTensors;
  geometry.resetConvGradCalls();
  registry.useKernels('custom');
  const device = gpuDevice();
  device.pushErrorScope('validation');
  const own: Gradients[] = [];
  for (const [i, c] of cases.entries()) own.push(await gradients(c, inputs[i]));
  expect(await device.popErrorScope()).toBeNull();
  expect(geometry.convGradCalls).toMatchObject({ forwardOwn: cases.length, forwardStock: 0, filterOwn: cases.length, filterStock: 0, inputOwn: cases.length, inputStock: 0 });
  registry.useKernels('stock');
  const stock: Gradients[] = [];
  for (const [i, c] of cases.entries()) stock.push(await gradients(c, inputs[i]));
  expect(geometry.convGradCalls.filterOwn).toBe(cases.length);
  let cpu: Gradients[] = [];
  if (references === 'stock+cpu') {
    await tf.setBackend('cpu');
    try {
      for (const [i, c] of cases.entries()) cpu.push(await gradients(c, inputs[i]));
    } finally {
      await tf.setBackend('webgpu');
    }
  }
  for (const [i, c] of cases.entries()) {
    expectClose(own[i].y, stock[i].y, `y vs webgpu stock, ${label(c)}`);
    expectClose(own[i].dW, stock[i].dW, `dW vs webgpu stock, ${label(c)}`);
    expectClose(own[i].dx, stock[i].dx, `dx vs webgpu stock, ${label(c)}`);
    if (cpu.length) {
      expectClose(own[i].y, cpu[i].y, `y vs cpu, ${label(c)}`);
      expectClose(own[i].dW, cpu[i].dW, `dW vs cpu, ${label(c)}`);
      expectClose(own[i].dx, cpu[i].dx, `dx vs cpu, ${label(c)}`);
    }
  }
  expect(tf.memory().numTensors).toBe(before);
}

/** Every conv2d a model's forward pass runs, recorded from the Conv2D kernel's arguments. */
async function traceConvs(build: () => Promise<{ forward(images: TF.Tensor4D, training: boolean): TF.Tensor; dispose(): void }>, batch: number): Promise<ConvCase[]> {
  const seen: ConvCase[] = [];
  const originals = ['Conv2D', 'FusedConv2D'].map((name) => tf.getKernel(name, 'webgpu')!);
  for (const original of originals) {
    tf.unregisterKernel(original.kernelName, 'webgpu');
    tf.registerKernel({
      ...original,
      kernelFunc: (params) => {
        const { x, filter } = params.inputs as { x: TF.TensorInfo; filter: TF.TensorInfo };
        const attrs = params.attrs as unknown as TF.Conv2DAttrs;
        expect(attrs.dataFormat ?? 'NHWC').toBe('NHWC');
        expect([1, [1, 1], undefined]).toContainEqual(attrs.dilations);
        const strides = typeof attrs.strides === 'number' ? [attrs.strides, attrs.strides] : attrs.strides;
        seen.push({ x: [batch, x.shape[1], x.shape[2], x.shape[3]], filter: filter.shape as ConvCase['filter'], strides: strides as [number, number], pad: attrs.pad as Pad, dimRoundingMode: attrs.dimRoundingMode });
        return original.kernelFunc(params);
      },
    });
  }
  try {
    const model = await build();
    const images = tf.zeros([1, 32, 32, 3]) as TF.Tensor4D;
    tf.dispose(model.forward(images, false));
    images.dispose();
    model.dispose();
  } finally {
    for (const original of originals) {
      tf.unregisterKernel(original.kernelName, 'webgpu');
      tf.registerKernel(original);
    }
  }
  const unique = new Map(seen.map((c) => [JSON.stringify(c), c]));
  return [...unique.values()];
}

const WIDTH = 0.125;
const BATCH = 8;
const CPU_BATCH = 2;

describe('own convolution gradients on WebGPU (Dawn)', () => {
  const models: Record<string, () => Promise<{ forward(images: TF.Tensor4D, training: boolean): TF.Tensor; dispose(): void }>> = {
    resnet9: async () => (await import('../../../src/lib/train/models/resnet9')).createResNet9(WIDTH, 1),
    resnet18: async () => (await import('../../../src/lib/train/models/resnet18')).createResNet18(WIDTH, 1),
    // tiny-cnn's width is its first conv's channel count: 64 × 1/8.
    'tiny-cnn': async () => (await import('../../../src/lib/train/models/tiny-cnn')).createTinyCnn(8, 1),
    airbench: async () => {
      const { createAirbench } = await import('../../../src/lib/train/models/airbench');
      const whitening = tf.randomNormal([2, 2, 3, 24], 0, 1, 'float32', 3) as TF.Tensor4D;
      try {
        return createAirbench(WIDTH, 1, whitening);
      } finally {
        whitening.dispose();
      }
    },
  };
  const expectedConvs: Record<string, number> = { resnet9: 6, resnet18: 11, 'tiny-cnn': 2, airbench: 6 };

  for (const [name, build] of Object.entries(models)) {
    it(`matches tfjs's webgpu kernels (batch ${BATCH}) and cpu kernels (batch ${CPU_BATCH}) on every conv of ${name} at width 1/8`, async () => {
      const cases = await traceConvs(build, BATCH);
      // The trace saw the model's distinct convolutions (a count that changes with the model is worth a look).
      expect(cases.length).toBe(expectedConvs[name]);
      await checkAgainstReferences(cases, 'stock');
      // tfjs's CPU Conv2DBackpropFilter takes seconds at batch 8: the CPU reference runs on fewer images.
      await checkAgainstReferences(cases.map((c) => ({ ...c, x: [CPU_BATCH, c.x[1], c.x[2], c.x[3]] })));
    });
  }

  it('matches on odd shapes: batch 1 and 3, 7×7 maps, 5 channels, stride 2 with padding 1, a strided 1×1 shortcut', async () => {
    await checkAgainstReferences([
      { x: [1, 7, 7, 5], filter: [3, 3, 5, 6], strides: [1, 1], pad: 'same' },
      { x: [3, 7, 7, 5], filter: [3, 3, 5, 5], strides: [2, 2], pad: 1 },
      { x: [3, 8, 8, 5], filter: [3, 3, 5, 7], strides: [2, 2], pad: 1 },
      { x: [3, 8, 8, 5], filter: [1, 1, 5, 10], strides: [2, 2], pad: 'valid' },
      { x: [1, 7, 7, 3], filter: [1, 1, 3, 5], strides: [2, 2], pad: 'valid' },
      { x: [3, 9, 9, 3], filter: [2, 2, 3, 24], strides: [1, 1], pad: 'valid' },
      { x: [3, 8, 8, 5], filter: [3, 3, 5, 5], strides: [2, 2], pad: 'same' },
      { x: [2, 7, 6, 4], filter: [3, 2, 4, 3], strides: [2, 1], pad: [[0, 0], [2, 0], [0, 1], [0, 0]] },
      { x: [1, 7, 7, 5], filter: [3, 3, 5, 4], strides: [2, 2], pad: 0, dimRoundingMode: 'ceil' },
      // Long K and a small M×N: the filter gradient splits K.
      { x: [3, 32, 32, 3], filter: [3, 3, 3, 5], strides: [1, 1], pad: 'same' },
    ]);
  });

  it('matches with fixed (unfitted) tiles of several sizes, and with K split a fixed number of ways', async () => {
    const cases: ConvCase[] = [
      { x: [2, 9, 9, 5], filter: [3, 3, 5, 6], strides: [1, 1], pad: 'same' },
      { x: [3, 8, 8, 20], filter: [3, 3, 20, 36], strides: [2, 2], pad: 1 },
    ];
    for (const tiles of [
      { tileM: 32, tileN: 32, tileK: 8, threadM: 4, threadN: 4, fit: false },
      { tileM: 16, tileN: 64, tileK: 4, threadM: 2, threadN: 8, fit: false },
      { tileM: 64, tileN: 64, tileK: 16, threadM: 8, threadN: 8, fit: false },
    ]) {
      filterGrad.setFilterGradTiles({ ...tiles, splitK: 3 });
      inputGrad.setInputGradTiles(tiles);
      await checkAgainstReferences(cases, 'stock');
    }
    expect(() => inputGrad.setInputGradTiles({ tileM: 30, tileN: 32, tileK: 8, threadM: 4, threadN: 4, fit: false })).toThrow(/divide/);
  });

  it('matches tfjs on random shapes (fast-check, fixed seed)', async () => {
    const caseArb = fc
      .record({
        batch: fc.integer({ min: 1, max: 3 }),
        h: fc.integer({ min: 1, max: 9 }),
        w: fc.integer({ min: 1, max: 9 }),
        ci: fc.integer({ min: 1, max: 6 }),
        co: fc.integer({ min: 1, max: 6 }),
        fh: fc.integer({ min: 1, max: 3 }),
        fw: fc.integer({ min: 1, max: 3 }),
        sh: fc.integer({ min: 1, max: 2 }),
        sw: fc.integer({ min: 1, max: 2 }),
        pad: fc.oneof(fc.constant<Pad>('same'), fc.constant<Pad>('valid'), fc.integer({ min: 0, max: 2 })),
      })
      .filter((r) => (r.pad === 'valid' ? r.fh <= r.h && r.fw <= r.w : typeof r.pad === 'number' ? r.fh <= r.h + 2 * r.pad && r.fw <= r.w + 2 * r.pad : true));
    await fc.assert(
      fc.asyncProperty(caseArb, async (r) => {
        const c: ConvCase = { x: [r.batch, r.h, r.w, r.ci], filter: [r.fh, r.fw, r.ci, r.co], strides: [r.sh, r.sw], pad: r.pad, dimRoundingMode: typeof r.pad === 'number' ? 'floor' : undefined };
        await checkAgainstReferences([c], 'stock');
      }),
      { seed: 20261128, numRuns: 30 },
    );
  });

  it('is what tf.grads calls for conv2d under kernels=custom, and gives stock’s gradients', async () => {
    const x = tf.randomNormal([2, 8, 8, 4], 0, 1, 'float32', 11) as TF.Tensor4D;
    const w = tf.randomNormal([3, 3, 4, 6], 0, 1, 'float32', 12) as TF.Tensor4D;
    const target = tf.randomNormal([2, 4, 4, 6], 0, 1, 'float32', 13);
    const loss = (a: TF.Tensor, b: TF.Tensor) => tf.sum(tf.square(tf.sub(tf.conv2d(a as TF.Tensor4D, b as TF.Tensor4D, 2, 1), target)));
    const before = tf.memory().numTensors;
    const grads = async (mode: 'custom' | 'stock') => {
      registry.useKernels(mode);
      const [dx, dw] = tf.grads(loss)([x, w]);
      const out = [(await dx.data()) as Float32Array, (await dw.data()) as Float32Array];
      tf.dispose([dx, dw]);
      return out;
    };
    geometry.resetConvGradCalls();
    const [ownDx, ownDw] = await grads('custom');
    expect(geometry.convGradCalls).toMatchObject({ filterOwn: 1, inputOwn: 1, filterStock: 0, inputStock: 0 });
    expect(registry.describeKernels()).toMatch(/Conv2DBackpropFilter split-K GEMM .*per thread/);
    expect(registry.describeKernels()).toMatch(/Conv2DBackpropInput implicit GEMM .*per thread/);
    const [stockDx, stockDw] = await grads('stock');
    expect(geometry.convGradCalls.filterOwn).toBe(1);
    expectClose(ownDx, stockDx, 'dx through tf.grads');
    expectClose(ownDw, stockDw, 'dW through tf.grads');
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w, target]);
  });

  it("restores tfjs's exact kernelFunc objects with kernels=stock", () => {
    const names = ['Conv2DBackpropFilter', 'Conv2DBackpropInput'];
    const stock = names.map((name) => tf.getKernel(name, 'webgpu')!.kernelFunc);
    registry.useKernels('custom');
    names.forEach((name, i) => expect(tf.getKernel(name, 'webgpu')!.kernelFunc).not.toBe(stock[i]));
    registry.useKernels('custom');
    registry.useKernels('stock');
    names.forEach((name, i) => expect(tf.getKernel(name, 'webgpu')!.kernelFunc).toBe(stock[i]));
  });

  it("hands the cases it does not handle (NCHW) to tfjs's kernel and returns its result", async () => {
    const x = tf.randomNormal([2, 3, 6, 6], 0, 1, 'float32', 21);
    const dy = tf.randomNormal([2, 4, 6, 6], 0, 1, 'float32', 22);
    const filter = tf.randomNormal([3, 3, 3, 4], 0, 1, 'float32', 23);
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NCHW' } as const;
    const run = async () => {
      const dW = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: [3, 3, 3, 4] } as unknown as TF.NamedAttrMap) as TF.Tensor;
      const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, { ...attrs, inputShape: [2, 3, 6, 6] } as unknown as TF.NamedAttrMap) as TF.Tensor;
      const out = [(await dW.data()) as Float32Array, (await dx.data()) as Float32Array];
      tf.dispose([dW, dx]);
      return out;
    };
    const before = tf.memory().numTensors;
    geometry.resetConvGradCalls();
    registry.useKernels('custom');
    const own = await run();
    expect(geometry.convGradCalls).toMatchObject({ filterOwn: 0, filterStock: 1, inputOwn: 0, inputStock: 1 });
    registry.useKernels('stock');
    const stock = await run();
    expect(own[0]).toEqual(stock[0]);
    expect(own[1]).toEqual(stock[1]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, dy, filter]);
  });

  it('autotunes per adapter: skipped on SwiftShader by default; forced, it times candidates, installs and caches the winners', async () => {
    const x = tf.randomNormal([2, 8, 8, 4], 0, 1, 'float32', 31) as TF.Tensor4D;
    const w = tf.randomNormal([3, 3, 4, 6], 0, 1, 'float32', 32) as TF.Tensor4D;
    const layers = autotune.recordConvLayers(() => tf.dispose([tf.conv2d(x, w, 1, 'same'), tf.conv2d(x, w, 2, 1)]));
    expect(layers).toHaveLength(2);
    tf.dispose([x, w]);

    // SwiftShader is no GPU: by default the fixed tiles stay and nothing is timed.
    const skipped = await autotune.autotuneConvGradients(layers);
    expect(skipped.source).toBe('skipped');
    expect(skipped.adapter).toMatch(/swiftshader/i);
    expect(geometry.tunedTiles.forward.size + geometry.tunedTiles.filter.size + geometry.tunedTiles.input.size).toBe(0);

    const store = new Map<string, string>();
    const cache = { get: (key: string) => store.get(key), set: (key: string, value: string) => void store.set(key, value) };
    const adapter = { vendor: 'google', architecture: 'swiftshader', description: 'test adapter' };
    const before = tf.memory().numTensors;
    const timed = await autotune.autotuneConvGradients(layers, { force: true, budgetMs: 200, reps: 1, cache, adapter });
    expect(tf.memory().numTensors).toBe(before);
    expect(timed.source).toBe('timed');
    expect(timed.layers).toHaveLength(6);
    // Each kernel's first measurement starts inside the budget; layers it does not reach keep the default tiles.
    for (const kernel of ['forward', 'filter', 'input']) expect(timed.layers.some((l) => l.kernel === kernel && l.timings!.length > 0)).toBe(true);
    expect([...store.keys()]).toEqual(['tabtune-conv-tiles:google/swiftshader/test adapter']);
    expect(geometry.tunedTiles.forward.size).toBe(2);
    expect(geometry.tunedTiles.filter.size).toBe(2);
    expect(geometry.tunedTiles.input.size).toBe(2);
    registry.useKernels('custom');
    expect(registry.describeKernels()).toMatch(/2 layer shapes autotuned/);

    // The same adapter again: this process remembers; a new process (memory cleared) reads the cache.
    expect((await autotune.autotuneConvGradients(layers, { force: true, cache, adapter })).source).toBe('memory');
    autotune.clearAutotuneMemory();
    autotune.clearTunedTiles();
    expect((await autotune.autotuneConvGradients(layers, { force: true, cache, adapter })).source).toBe('cache');
    expect(geometry.tunedTiles.filter.size).toBe(2);

    // Winners cached before the forward pass was tuned (no `forward`) are timed again, not half used.
    const key = 'tabtune-conv-tiles:google/swiftshader/test adapter';
    const { forward: _dropped, ...older } = JSON.parse(store.get(key)!) as Record<string, unknown>;
    store.set(key, JSON.stringify(older));
    autotune.clearAutotuneMemory();
    autotune.clearTunedTiles();
    expect((await autotune.autotuneConvGradients(layers, { force: true, budgetMs: 200, reps: 1, cache, adapter })).source).toBe('timed');
    expect(geometry.tunedTiles.forward.size).toBe(2);

    // The installed tiles compute the same gradients.
    await checkAgainstReferences(
      [
        { x: [2, 8, 8, 4], filter: [3, 3, 4, 6], strides: [1, 1], pad: 'same' },
        { x: [2, 8, 8, 4], filter: [3, 3, 4, 6], strides: [2, 2], pad: 1 },
      ],
      'stock',
    );
  });

  it("at a trial's start keeps the default tiles on a software adapter, running nothing, and says so", async () => {
    const { tuneConvTilesAtStart } = await import('../../../src/lib/train/kernels/tune-at-start');
    const untouchable = { forward: () => { throw new Error('the model ran'); } } as unknown as Parameters<typeof tuneConvTilesAtStart>[0];
    registry.useKernels('custom');
    expect(await tuneConvTilesAtStart(untouchable, 8)).toBe('conv tiles: defaults (software adapter, no autotune)');
    registry.useKernels('stock');
    expect(await tuneConvTilesAtStart(untouchable, 8)).toBeUndefined();
  });
});
