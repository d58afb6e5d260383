/**
 * Names the WebGPU adapter a benchmark ran on and tells a software one (SwiftShader, llvmpipe) from
 * a GPU, so that figures measured on a CPU are never reported as a GPU's. Pure.
 */

/** The fields of GPUAdapterInfo the report uses; Dawn fills all of them. */
export interface AdapterFacts {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|software|\bcpu\b|microsoft basic render/i;

/** One line naming the adapter from every field it filled. */
export function describeAdapter(info: AdapterFacts): string {
  const parts = [info.vendor, info.architecture, info.device, info.description].map((s) => s?.trim()).filter((s): s is string => !!s);
  return [...new Set(parts)].join(' / ') || 'unnamed adapter';
}

/** Why the adapter is a software one, or undefined when it looks like a GPU. */
export function softwareReason(info: AdapterFacts): string | undefined {
  if (info.isFallbackAdapter) return 'the adapter says it is a fallback (software) adapter';
  for (const field of ['vendor', 'architecture', 'device', 'description'] as const) {
    const match = info[field]?.match(SOFTWARE);
    if (match) return `its ${field} "${info[field]}" names ${match[0]}`;
  }
  return undefined;
}

export type AdapterVerdict = { ok: true; software: boolean; note?: string } | { ok: false; message: string };

/** Whether to measure on this adapter: a software one only when asked to (testing the run without a GPU). */
export function judgeAdapter(info: AdapterFacts | undefined, allowSoftware: boolean): AdapterVerdict {
  if (!info) return { ok: false, message: 'no WebGPU adapter: Dawn found no Vulkan driver (is the Vulkan loader installed and the NVIDIA ICD visible?)' };
  const reason = softwareReason(info);
  if (!reason) return { ok: true, software: false };
  if (allowSoftware) return { ok: true, software: true, note: `software adapter allowed by --allow-software (${reason}): these figures are a CPU's, not a GPU's` };
  return { ok: false, message: `refusing to measure on ${describeAdapter(info)}: ${reason}; pass --allow-software to run anyway (for testing only)` };
}
