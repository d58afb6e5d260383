import * as tf from '@tensorflow/tfjs';
import type { BackendInfo, BackendName } from '../device/backend-info';
import { describeAdapter, probeWebGpu } from '../device/webgpu-probe';

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
