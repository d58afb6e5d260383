import { describe, expect, it } from 'vitest';
import { judgeAdapter, describeAdapter, softwareReason } from '../../../bench/gpu/adapter';
import { extrapolateRun, recipeEpochs } from '../../../bench/gpu/extrapolate';
import { kernelFlops, stepFlops, tallyFlops, teraflopsPerSecond } from '../../../bench/gpu/flops';
import { benchArgsFor, parseGpuBenchArgs } from '../../../bench/gpu/options';
import { CONVENTIONS, engineFigures, formatSummary, modelSummary, type GpuSummary } from '../../../bench/gpu/summary';
import { traceModelFlops } from '../../../bench/gpu/trace';
import type { BenchRow } from '../../../bench/train/report';

/** 2·H·W·k²·Ci·Co for a 3×3 'same' conv on an H×W map, per image. */
const conv3 = (side: number, ci: number, co: number) => 2 * side * side * 9 * ci * co;

/**
 * Page's ResNet-9 at width 1, from its layer list: each pooled unit convolves before it pools, so
 * layer1 runs at 32×32, res1 and layer2 at 16×16, layer3 at 8×8 and res3 at 4×4; the head is a
 * 512 → 10 dense layer.
 */
const RESNET9_PREP = conv3(32, 3, 64);
const RESNET9_FORWARD = RESNET9_PREP + conv3(32, 64, 128) + 2 * conv3(16, 128, 128) + conv3(16, 128, 256) + conv3(8, 256, 512) + 2 * conv3(4, 512, 512) + 2 * 512 * 10;

describe('kernelFlops', () => {
  it('counts a conv from its output and filter shapes', () => {
    expect(kernelFlops({ name: 'Conv2D', inputShapes: [[2, 8, 8, 3], [3, 3, 3, 16]], outputShapes: [[2, 8, 8, 16]] })).toBe(2 * 2 * 64 * 16 * 27);
    // Stride 2: a quarter of the output positions, a quarter of the work.
    expect(kernelFlops({ name: 'Conv2D', inputShapes: [[1, 8, 8, 4], [3, 3, 4, 4]], outputShapes: [[1, 4, 4, 4]] })).toBe(2 * 16 * 4 * 36);
  });

  it('counts both conv gradients as much as the forward', () => {
    const forward = kernelFlops({ name: 'Conv2D', inputShapes: [[2, 8, 8, 3], [3, 3, 3, 16]], outputShapes: [[2, 8, 8, 16]] });
    expect(kernelFlops({ name: 'Conv2DBackpropInput', inputShapes: [[2, 8, 8, 16], [3, 3, 3, 16]], outputShapes: [[2, 8, 8, 3]] })).toBe(forward);
    expect(kernelFlops({ name: 'Conv2DBackpropFilter', inputShapes: [[2, 8, 8, 3], [2, 8, 8, 16]], outputShapes: [[3, 3, 3, 16]] })).toBe(forward);
  });

  it('counts a matmul whichever operand is transposed', () => {
    const plain = kernelFlops({ name: 'BatchMatMul', inputShapes: [[1, 4, 512], [1, 512, 10]], outputShapes: [[1, 4, 10]] });
    const transposedA = kernelFlops({ name: 'BatchMatMul', inputShapes: [[1, 512, 4], [1, 512, 10]], outputShapes: [[1, 4, 10]] });
    expect(plain).toBe(2 * 4 * 10 * 512);
    expect(transposedA).toBe(plain);
  });

  it('leaves out everything else', () => {
    expect(kernelFlops({ name: 'Relu', inputShapes: [[1, 8, 8, 3]], outputShapes: [[1, 8, 8, 3]] })).toBeUndefined();
    const tally = tallyFlops([
      { name: 'Relu', inputShapes: [[4]], outputShapes: [[4]] },
      { name: 'BatchMatMul', inputShapes: [[1, 1, 2], [1, 2, 3]], outputShapes: [[1, 1, 3]] },
    ]);
    expect(tally).toEqual({ total: 12, byKernel: { BatchMatMul: { runs: 1, flops: 12 } } });
  });
});

describe('traceModelFlops', () => {
  it("counts ResNet-9's forward pass as its layer list does, and its real step as 3 × forward less the first layer's input gradient", async () => {
    const flops = await traceModelFlops('resnet9', 1, true);
    expect(RESNET9_FORWARD).toBe(758_523_904);
    expect(flops.forwardPerImage.total).toBe(RESNET9_FORWARD);
    expect(flops.forwardPerImage.byKernel.Conv2D.runs).toBe(8);
    expect(flops.tracedStepPerImage!.total).toBe(3 * RESNET9_FORWARD - RESNET9_PREP);
  });
});

describe('step arithmetic', () => {
  it('scales the forward count by 3 and by the batch, and divides by the time', () => {
    expect(stepFlops(RESNET9_FORWARD, 512)).toBe(3 * 512 * 758_523_904);
    expect(teraflopsPerSecond(stepFlops(RESNET9_FORWARD, 512), 1000)).toBeCloseTo(1.16509, 4);
    expect(teraflopsPerSecond(2e12, 500)).toBe(4);
  });

  it("extrapolates a run as the loop counts its steps: whole batches per epoch, epochs × those, rounded", () => {
    expect(extrapolateRun(100, 512, 24)).toEqual({ trainImages: 50_000, batch: 512, epochs: 24, stepsPerEpoch: 97, totalSteps: 2328, epochSeconds: 9.7, runSeconds: 232.8 });
    const airbench = extrapolateRun(50, 1024, 9.9);
    expect([airbench.stepsPerEpoch, airbench.totalSteps, airbench.runSeconds]).toEqual([48, 475, 23.75]);
    expect(extrapolateRun(10, 8, 1, 45_000).stepsPerEpoch).toBe(5625);
  });

  it("takes each model's epochs from its published recipe", () => {
    expect(['resnet9', 'airbench', 'resnet18'].map((m) => recipeEpochs(m as 'resnet9'))).toEqual([24, 9.9, 30]);
  });
});

describe('adapter verdict', () => {
  const swiftshader = { vendor: 'google', architecture: 'swiftshader', device: 'swiftshader-device-subzero-', description: 'SwiftShader driver 5.0.0', isFallbackAdapter: true };
  const h200 = { vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H200', isFallbackAdapter: false };

  it('refuses a software adapter unless allowed, and says how to allow it', () => {
    const refused = judgeAdapter(swiftshader, false);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.message).toMatch(/refusing to measure on google \/ swiftshader.*--allow-software/);
    expect(judgeAdapter(swiftshader, true)).toMatchObject({ ok: true, software: true, note: expect.stringMatching(/CPU's, not a GPU's/) });
  });

  it('knows software adapters by name even when they do not say they are a fallback', () => {
    expect(softwareReason({ vendor: 'mesa', device: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toMatch(/llvmpipe/);
    expect(judgeAdapter({ description: 'SwiftShader Device (Subzero)' }, false).ok).toBe(false);
    expect(judgeAdapter({ isFallbackAdapter: true }, false).ok).toBe(false);
  });

  it('measures on a GPU, and refuses when there is no adapter at all', () => {
    expect(judgeAdapter(h200, false)).toEqual({ ok: true, software: false });
    expect(describeAdapter(h200)).toBe('nvidia / hopper / NVIDIA H200');
    expect(judgeAdapter(undefined, true)).toMatchObject({ ok: false, message: expect.stringMatching(/no WebGPU adapter/) });
  });
});

describe('gpu benchmark options', () => {
  it("defaults to the GPU run: the three ResNets at full width and batch 512, custom against stock, the H200's fp32 peak", () => {
    const o = parseGpuBenchArgs([], { OUT: '/out' });
    expect(o.bench).toMatchObject({ where: 'node', backend: 'webgpu', models: ['resnet9', 'airbench', 'resnet18'], width: 1, batch: 512, warmup: 2, engines: ['custom', 'stock'] });
    expect(o).toMatchObject({ peakTflops: 67, allowSoftware: false, budgetSeconds: 420, trainImages: 50_000, outDir: '/out' });
    expect(o.peakSource).toMatch(/H200 SXM.*67 TFLOPS/);
    expect(parseGpuBenchArgs([]).outDir).toBe('./gpu-out');
  });

  it('reads overrides and hands each model bench:train flags', () => {
    const o = parseGpuBenchArgs(['--models', 'resnet9', '--width', '0.125', '--batch', '8', '--peak-tflops', '60', '--allow-software', '--out', 'here']);
    expect(o).toMatchObject({ peakTflops: 60, peakSource: 'given with --peak-tflops 60', allowSoftware: true, outDir: 'here' });
    expect(benchArgsFor(o.bench, 'resnet9')).toEqual(
      ['--where', 'node', '--backend', 'webgpu', '--models', 'resnet9', '--width', '0.125', '--batch', '8', '--steps', '5', '--repetitions', '3', '--warmup', '2', '--engines', 'custom,stock', '--json'],
    );
  });

  it.each([
    [['--peak-tflops', '0'], /--peak-tflops must be a number above 0/],
    [['--models', 'vgg'], /unknown model vgg/],
    [['--where', 'chromium'], /unknown option --where/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseGpuBenchArgs(argv)).toThrow(message);
  });
});

describe('summary', () => {
  it('states the adapter, the peak and its source, the rate against it, and labels the extrapolation', () => {
    const row = { engine: 'custom', model: 'resnet9', backend: 'webgpu', adapter: 'nvidia hopper', batch: 512, msPerStep: 1000, imagesPerSec: 512, samples: [990, 1000, 1010] } as BenchRow;
    const model = { ...modelSummary('resnet9', 24, { forward: { total: RESNET9_FORWARD, byKernel: {} } }, 512), status: 'measured' as const };
    model.engines = [engineFigures(row, RESNET9_FORWARD, 24, 67, 50_000)];
    expect(model.engines[0].tflops).toBeCloseTo(1.16509, 4);
    expect(model.engines[0].percentOfPeak).toBeCloseTo((100 * 1.16509) / 67, 3);
    const summary: GpuSummary = {
      tool: 'tabtune gpu benchmark', startedAt: '2026-01-01T00:00:00.000Z', seconds: 300,
      adapter: { name: 'nvidia / hopper / NVIDIA H200', software: false, info: {} },
      peak: { tflops: 67, source: 'NVIDIA H200 datasheet' },
      settings: { width: 1, batch: 512, warmup: 2, steps: 5, repetitions: 3, engines: ['custom'], data: 'synthetic', trainImages: 50_000 },
      conventions: CONVENTIONS, models: [model, { ...modelSummary('resnet18', 30, { forward: { total: 1, byKernel: {} } }, 512), error: 'no time left' }],
    };
    const text = formatSummary(summary);
    expect(text).toContain('Adapter: nvidia / hopper / NVIDIA H200');
    expect(text).toContain('67 TFLOP/s — NVIDIA H200 datasheet');
    expect(text).toMatch(/resnet9 +custom +1000\.0 +512 +1165\.093 +1\.17 +1\.74%/);
    expect(text).toContain('resnet18  skipped: no time left');
    expect(text).toMatch(/Extrapolation \(not a measurement\) of the time to 94%/);
    expect(text).toContain('24 epochs × 97 steps = 2328 steps → 38 min 48 s (epoch 97.0 s)');
    expect(text).toContain('3 × forward');
  });
});
