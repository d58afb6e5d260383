import * as tf from '@tensorflow/tfjs';
import type { BackendInfo, BackendName } from '../device/backend-info';
import { describeAdapter, probeWebGpu } from '../device/webgpu-probe';
import { ENABLE_F16_MARKER } from './kernels/compute-precision';

/**
 * Starts tfjs on the first backend that works, in the order given: WebGPU, then WebGL, then CPU.
 * The WebGPU backend must have been registered (by importing tfjs-backend-webgpu) beforehand.
 */
export async function initBackend(order: BackendName[] = ['webgpu', 'webgl', 'cpu']): Promise<BackendInfo> {
  const notes: string[] = [];
  let adapter: BackendInfo['adapter'];
  for (const name of order) {
    if (name === 'webgpu') {
      const probe = await probeWebGpu();
      if ('reason' in probe) {
        notes.push(`WebGPU is unavailable: ${probe.reason}.`);
        continue;
      }
      adapter = describeAdapter(probe.adapter);
      if (probe.adapter.features.has('shader-f16')) await registerWebGpuWithShaderF16();
    }
    if (!tf.findBackendFactory(name)) {
      notes.push(`The ${name} backend is not available here.`);
      continue;
    }
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        return { backend: name, adapter, notes };
      }
    } catch (error) {
      notes.push(`The ${name} backend failed to start: ${(error as Error).message}`);
      continue;
    }
    notes.push(`The ${name} backend failed to start.`);
  }
  throw new Error(`No tfjs backend could start. ${notes.join(' ')}`);
}

/** The WebGPU device behind the current backend, to watch for its loss. */
export function currentGpuDevice(): GPUDevice | undefined {
  if (tf.getBackend() !== 'webgpu') return undefined;
  return (tf.backend() as unknown as { device?: GPUDevice }).device;
}

/**
 * tfjs-backend-webgpu 4.22's factory asks its device for timestamp-query and bgra8unorm-storage
 * only, never shader-f16, and takes no device from outside. Where the adapter offers shader-f16, the
 * 'webgpu' backend is registered again with a factory that builds tfjs's own WebGPUBackend on a
 * device asking for the same features and limits plus shader-f16. Adapters without it keep tfjs's
 * factory untouched.
 */
async function registerWebGpuWithShaderF16(): Promise<void> {
  // Loaded here, not at the top: importing the package registers its backend, and the CPU path and
  // Node tests must be able to do without it. The caller of initBackend has already imported it.
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  const priority = 3;
  tf.removeBackend('webgpu');
  tf.registerBackend(
    'webgpu',
    async () => {
      const powerPreference = tf.env().getBool('WEBGPU_USE_LOW_POWER_GPU') ? 'low-power' : 'high-performance';
      const adapter = await navigator.gpu.requestAdapter({ powerPreference });
      if (!adapter) throw new Error('the browser found no WebGPU adapter');
      const device = await adapter.requestDevice(deviceDescriptor(adapter));
      enableF16Where(device);
      return new WebGPUBackend(device, adapter.info) as unknown as tf.KernelBackend;
    },
    priority,
  );
}

/** What tfjs's own factory asks for (its optional features, the adapter's limits), plus shader-f16 when offered. */
export function deviceDescriptor(adapter: GPUAdapter): GPUDeviceDescriptor {
  const wanted: GPUFeatureName[] = ['timestamp-query', 'bgra8unorm-storage', 'shader-f16'];
  const limits = adapter.limits;
  return {
    requiredFeatures: wanted.filter((feature) => adapter.features.has(feature)),
    requiredLimits: {
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
    },
  };
}

/**
 * WGSL wants `enable f16;` before any declaration, and tfjs writes its own declarations ahead of a
 * program's code, so a program cannot say it itself: a shader carrying the marker gets the
 * directive put in front as it is compiled. Other shaders compile as they are.
 */
function enableF16Where(device: GPUDevice): void {
  const create = device.createShaderModule.bind(device);
  device.createShaderModule = (descriptor: GPUShaderModuleDescriptor) =>
    create(descriptor.code.includes(ENABLE_F16_MARKER) ? { ...descriptor, code: `enable f16;\n${descriptor.code}` } : descriptor);
}
