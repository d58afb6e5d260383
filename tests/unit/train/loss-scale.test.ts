import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamicLossScale } from '../../../src/lib/train/loss-scale';
import { SgdMomentum } from '../../../src/lib/train/optimizer';
import { resolveComputePrecision } from '../../../src/lib/train/kernels/compute-precision';
import { deviceDescriptor } from '../../../src/lib/train/backend';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * One parameter w and a loss Σ w·x: its gradient is x, so x decides whether the scaled gradient
 * overflows (x·scale = inf in f32 for x = 1e38) without any f16 hardware.
 */
function setup(scale?: DynamicLossScale) {
  const w = tf.tidy(() => tf.variable(tf.tensor1d([1, -2, 3, 0.5])));
  const optimizer = new SgdMomentum([{ variable: w, lrScale: 1 }], { nesterov: true, weightDecay: 0.01, kernels: 'stock', lossScale: scale });
  const step = (x: number[]) => {
    const xs = tf.tensor1d(x);
    const loss = optimizer.step(() => tf.sum(tf.mul(w, xs)), 0.1, 0.9);
    const value = loss.dataSync()[0];
    tf.dispose([loss, xs]);
    return value;
  };
  return { w, optimizer, step, dispose: () => (w.dispose(), optimizer.dispose()) };
}

describe('dynamic loss scaling (fp32, CPU backend)', () => {
  it('skips a step whose gradients overflow, halves the scale, and doubles it after the growth interval', () => {
    const before = tf.memory().numTensors;
    const scale = new DynamicLossScale({ initial: 2 ** 15, growthInterval: 3 });
    const scaled = setup(scale);
    const plain = setup();
    const readScale = () => scale.scale.dataSync()[0];

    // A finite step: the update is the unscaled one, and the loss reported is the loss itself.
    const finite = [0.5, -1, 0.25, 2];
    const lossScaled = scaled.step(finite);
    const lossPlain = plain.step(finite);
    expect(lossScaled).toBeCloseTo(lossPlain, 5);
    expect(Array.from(scaled.w.dataSync())).toEqual(Array.from(plain.w.dataSync()));
    expect(readScale()).toBe(2 ** 15);

    // 1e38 × 2^15 overflows f32: the step is skipped whole (weight and, through the next step, velocity) and the scale halves.
    const kept = Array.from(scaled.w.dataSync());
    scaled.step([1e38, 0, 0, 0]);
    expect(Array.from(scaled.w.dataSync())).toEqual(kept);
    expect(readScale()).toBe(2 ** 14);
    // A NaN gradient likewise.
    scaled.step([Number.NaN, 0, 0, 0]);
    expect(Array.from(scaled.w.dataSync())).toEqual(kept);
    expect(readScale()).toBe(2 ** 13);

    // The skipped steps left the velocity as it was: the next finite step matches the unscaled optimizer's second step.
    scaled.step(finite);
    plain.step(finite);
    const a = scaled.w.dataSync();
    const b = plain.w.dataSync();
    b.forEach((v, i) => expect(Math.abs(a[i] - v)).toBeLessThanOrEqual(1e-6 * Math.abs(v) + 1e-7));
    expect(readScale()).toBe(2 ** 13);
    // Three finite steps in a row (counted since the last overflow) double it, and the count starts again.
    scaled.step(finite);
    expect(readScale()).toBe(2 ** 13);
    scaled.step(finite);
    expect(readScale()).toBe(2 ** 14);
    scaled.step(finite);
    scaled.step(finite);
    expect(readScale()).toBe(2 ** 14);
    scaled.step(finite);
    expect(readScale()).toBe(2 ** 15);

    scaled.dispose();
    plain.dispose();
    scale.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('never halves below 1 nor grows past its maximum', () => {
    const scale = new DynamicLossScale({ initial: 2, growthInterval: 1, max: 4 });
    const run = setup(scale);
    run.step([Infinity, 0, 0, 0]);
    run.step([Infinity, 0, 0, 0]);
    expect(scale.scale.dataSync()[0]).toBe(1);
    for (let i = 0; i < 4; i++) run.step([1, 1, 1, 1]);
    expect(scale.scale.dataSync()[0]).toBe(4);
    run.dispose();
    scale.dispose();
  });

  it('refuses a bad initial scale or growth interval with a clear message', () => {
    expect(() => new DynamicLossScale({ initial: 0.5 })).toThrow(/initial loss scale must be in \[1, /);
    expect(() => new DynamicLossScale({ growthInterval: 0 })).toThrow(/growth interval must be a whole number/);
  });
});

describe('compute_precision resolution', () => {
  it('runs f16 only on webgpu with kernels=custom and shader-f16, and says why otherwise', () => {
    const gpu = { kernels: 'custom' as const, backend: 'webgpu', shaderF16: true };
    expect(resolveComputePrecision('f16', gpu)).toEqual({ precision: 'f16' });
    expect(resolveComputePrecision('f32', gpu)).toEqual({ precision: 'f32' });
    expect(resolveComputePrecision('f16', { ...gpu, shaderF16: false })).toEqual({ precision: 'f32', reason: expect.stringMatching(/shader-f16, which this adapter lacks/) });
    expect(resolveComputePrecision('f16', { ...gpu, kernels: 'stock' })).toEqual({ precision: 'f32', reason: expect.stringMatching(/needs kernels=custom/) });
    expect(resolveComputePrecision('f16', { ...gpu, backend: 'webgl' })).toEqual({ precision: 'f32', reason: expect.stringMatching(/webgpu backend, not webgl/) });
  });

  it("asks the device for shader-f16 only where the adapter has it, and otherwise for what tfjs's own factory asks", () => {
    const adapter = (features: string[]) => ({ features: new Set(features), limits: { maxBufferSize: 1 << 28, maxStorageBufferBindingSize: 1 << 27, maxComputeWorkgroupStorageSize: 16384, maxComputeWorkgroupsPerDimension: 65535, maxComputeWorkgroupSizeX: 256, maxComputeInvocationsPerWorkgroup: 256 } }) as unknown as GPUAdapter;
    expect(deviceDescriptor(adapter(['timestamp-query', 'shader-f16'])).requiredFeatures).toEqual(['timestamp-query', 'shader-f16']);
    expect(deviceDescriptor(adapter(['timestamp-query'])).requiredFeatures).toEqual(['timestamp-query']);
    expect(deviceDescriptor(adapter([])).requiredLimits).toMatchObject({ maxStorageBufferBindingSize: 1 << 27, maxBufferSize: 1 << 28 });
  });
});
