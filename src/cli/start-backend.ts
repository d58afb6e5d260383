import type { BackendInfo, BackendName } from '../lib/device/backend-info';

/** What a Node process trains on: the backend, and the adapter in words ("" on cpu). */
export interface NodeBackend {
  info: BackendInfo;
  adapter: string;
}

/**
 * Starts tfjs in Node on Dawn's WebGPU or the CPU backend. Imported lazily by the CLIs, so that a
 * usage error answers before tfjs loads.
 */
export async function startBackend(backend: BackendName): Promise<NodeBackend> {
  if (backend === 'webgpu') {
    // Dawn must be on navigator before tfjs-backend-webgpu is imported: it registers only if WebGPU exists.
    await import('./node-gpu');
    await import('@tensorflow/tfjs-backend-webgpu');
  }
  const { initBackend } = await import('../lib/train/backend');
  const info = await initBackend([backend]);
  const adapter = info.adapter ? [info.adapter.vendor, info.adapter.architecture, info.adapter.description].filter(Boolean).join(', ') : '';
  return { info, adapter };
}
