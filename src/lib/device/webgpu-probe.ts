/** WebGPU adapter discovery without tfjs, so the page can show its GPU before loading the engine. */

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  description: string;
}

/** Asks for a WebGPU adapter; null with a reason when there is none. */
export async function probeWebGpu(): Promise<{ adapter: GPUAdapter } | { reason: string }> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) return { reason: 'this browser has no WebGPU (navigator.gpu is missing; it needs a secure context such as localhost or https)' };
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    return adapter ? { adapter } : { reason: 'the browser found no WebGPU adapter (GPU blocked, disabled or absent)' };
  } catch (error) {
    return { reason: `requesting a WebGPU adapter failed: ${(error as Error).message}` };
  }
}

export function describeAdapter(adapter: GPUAdapter): AdapterSummary {
  const info = adapter.info;
  return { vendor: info?.vendor || 'unknown vendor', architecture: info?.architecture || 'unknown architecture', description: info?.description ?? '' };
}

