/**
 * Puts Dawn's WebGPU (the npm package `webgpu`) where tfjs looks for it, so the same engine runs in Node.
 * Import this before tfjs-backend-webgpu: that module registers its backend only if navigator.gpu exists at import.
 */
import { existsSync } from 'node:fs';
import { create, globals } from 'webgpu';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

// With no GPU driver configured, fall back to the SwiftShader Vulkan driver that Debian's Chromium ships.
if (!process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES && process.env.TABTUNE_GPU !== 'system' && existsSync(SWIFTSHADER_ICD)) {
  process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
}
Object.assign(globalThis, globals);
Object.defineProperty(globalThis, 'navigator', { value: { gpu: create([]), userAgent: 'node' }, configurable: true, writable: true });
