import type { BackendName } from '../lib/device/backend-info';

/**
 * Starts tfjs in Node on `backend` and returns how the run names it (backend and adapter). For
 * webgpu, Dawn goes on navigator first: tfjs-backend-webgpu registers only if WebGPU exists when it
 * is imported. Everything loads here, on demand, so a CLI's usage errors answer before tfjs loads.
 */
export async function startNodeBackend(backend: BackendName): Promise<string> {
  if (backend === 'webgpu') {
    await import('./node-gpu');
    await import('@tensorflow/tfjs-backend-webgpu');
  }
  const { initBackend } = await import('../lib/train/backend');
  const info = await initBackend([backend]);
  const adapter = info.adapter ? ` (${[info.adapter.vendor, info.adapter.architecture, info.adapter.description].filter(Boolean).join(', ')})` : '';
  return `${info.backend}${adapter}`;
}
