import { describe, expect, it } from 'vitest';

/**
 * initBackend's shader-f16 path on Dawn, with an adapter that claims the feature. SwiftShader has
 * none, so the adapter is wrapped: it reports shader-f16, records the device descriptor it is asked
 * for, and creates the device without the feature (SwiftShader would refuse it). What is checked is
 * the plumbing: the backend is registered again on a device asked for shader-f16, tfjs runs on it,
 * and only the shaders carrying the marker get `enable f16;` in front.
 */
await import('../../../src/cli/node-gpu');
const gpu = navigator.gpu;
const requestAdapter = gpu.requestAdapter.bind(gpu);
let asked: GPUDeviceDescriptor | undefined;
const compiled: string[] = [];
gpu.requestAdapter = async (options?: GPURequestAdapterOptions) => {
  const adapter = await requestAdapter(options);
  if (!adapter) return adapter;
  return new Proxy(adapter, {
    get(target, prop) {
      if (prop === 'features') return new Set([...target.features, 'shader-f16']);
      if (prop === 'requestDevice') {
        return async (descriptor: GPUDeviceDescriptor) => {
          asked = descriptor;
          const requiredFeatures = [...(descriptor.requiredFeatures ?? [])].filter((f) => f !== 'shader-f16');
          const device = await target.requestDevice({ ...descriptor, requiredFeatures });
          const create = device.createShaderModule.bind(device);
          device.createShaderModule = (d: GPUShaderModuleDescriptor) => {
            compiled.push(d.code);
            return create(d);
          };
          return device;
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
};

describe('the webgpu backend on an adapter that offers shader-f16 (Dawn, adapter wrapped)', () => {
  it('is registered again on a device asked for shader-f16, runs tfjs, and enables f16 only in marked shaders', async () => {
    await import('@tensorflow/tfjs-backend-webgpu');
    const tf = await import('@tensorflow/tfjs');
    const { initBackend } = await import('../../../src/lib/train/backend');
    const { ENABLE_F16_MARKER } = await import('../../../src/lib/train/kernels/compute-precision');
    const info = await initBackend(['webgpu']);
    expect(info.backend).toBe('webgpu');
    expect([...(asked?.requiredFeatures ?? [])]).toContain('shader-f16');
    expect(asked?.requiredLimits).toMatchObject({ maxStorageBufferBindingSize: expect.any(Number), maxComputeWorkgroupStorageSize: expect.any(Number) });

    // Large enough that tfjs does not hand it to the CPU.
    const sum = tf.tidy(() => tf.add(tf.range(0, 4096), tf.fill([4096], 1)));
    expect((await sum.data())[4095]).toBe(4096);
    expect(compiled.length).toBeGreaterThan(0);
    expect(compiled.every((code) => !code.startsWith('enable f16;'))).toBe(true);

    const device = (tf.backend() as unknown as { device: GPUDevice }).device;
    // SwiftShader cannot compile f16: the module is invalid, which the error scope swallows.
    device.pushErrorScope('validation');
    device.createShaderModule({ code: `${ENABLE_F16_MARKER}\nalias TTHalf = f16;` });
    await device.popErrorScope();
    expect(compiled.at(-1)).toMatch(/^enable f16;\n\/\/ tabtune: needs enable f16\nalias TTHalf = f16;$/);
    tf.dispose(sum);
  }, 60_000);
});
