import * as tf from '@tensorflow/tfjs';

/**
 * The `compute_precision` hyperparameter: `f16` runs the convolution GEMMs' arithmetic in halves
 * (operands rounded to f16 as the tiles are staged, each K tile's products summed in f16, those
 * sums accumulated in f32), with the weights, their update and everything else in f32 and a
 * dynamic loss scale (loss-scale.ts) against the gradients' narrow range. It needs the WGSL `f16`
 * type, so the device must have `shader-f16` (backend.ts asks for it where the adapter offers it).
 */
export type ComputePrecision = 'f32' | 'f16';

/**
 * The type a half-precision shader computes in. `f16` in training; `f32` only in tests, so that the
 * f16 code path (its staging, its per-tile sums, its shader keys) runs and is checked on an adapter
 * without `shader-f16`, with fp32 rounding.
 */
export type HalfType = 'f16' | 'f32';

/** A shader whose text holds this line is compiled with `enable f16;` in front (backend.ts). */
export const ENABLE_F16_MARKER = '// tabtune: needs enable f16';

let active: { precision: ComputePrecision; half: HalfType; reason?: string } = { precision: 'f32', half: 'f16' };

/**
 * What a trial asking for `asked` computes in, and why when that is not what it asked: f16 needs the
 * engine's own kernels (kernels=custom) on webgpu and a device with `shader-f16`. Falling back
 * (rather than failing) keeps a job portable between machines: DECISIONS.md.
 */
export function resolveComputePrecision(asked: ComputePrecision, where: { kernels: 'custom' | 'stock'; backend: string; shaderF16: boolean }): { precision: ComputePrecision; reason?: string } {
  if (asked === 'f32') return { precision: 'f32' };
  if (where.backend !== 'webgpu') return { precision: 'f32', reason: `compute_precision=f16 needs the webgpu backend, not ${where.backend}` };
  if (where.kernels !== 'custom') return { precision: 'f32', reason: 'compute_precision=f16 needs kernels=custom' };
  if (!where.shaderF16) return { precision: 'f32', reason: "compute_precision=f16 needs the adapter feature shader-f16, which this adapter lacks" };
  return { precision: 'f16' };
}

/** Whether the current backend's device can compile f16 shaders. */
export function deviceHasShaderF16(): boolean {
  if (tf.getBackend() !== 'webgpu') return false;
  const device = (tf.backend() as unknown as { device?: GPUDevice }).device;
  return device?.features.has('shader-f16') ?? false;
}

/**
 * Sets what the convolution kernels compute in from now on; `reason` is why a trial got f32 when
 * it asked for f16, for its Kernels line. `half` is for tests only (see HalfType); a real f16 half
 * on a device without shader-f16 is refused here rather than failing at compile time.
 */
export function useComputePrecision(precision: ComputePrecision, { half = 'f16', reason }: { half?: HalfType; reason?: string } = {}): void {
  if (precision === 'f16' && half === 'f16' && !deviceHasShaderF16()) {
    throw new Error('compute_precision=f16 needs a WebGPU device with shader-f16; resolveComputePrecision falls back to f32 where there is none.');
  }
  active = { precision, half, reason };
}

export function computePrecision(): ComputePrecision {
  return active.precision;
}

/** The half type the GEMM body stages and sums its tiles in, or null for the plain f32 body. */
export function gemmHalfType(): HalfType | null {
  return active.precision === 'f16' ? active.half : null;
}

/** The part of a GEMM pipeline's key that its precision decides: empty for f32, so f32 keys stay as they were. */
export function gemmPrecisionKey(): string {
  const half = gemmHalfType();
  return half ? `_half_${half}` : '';
}

/** WGSL that declares `TTHalf`, with the marker that enables f16 where it is the real thing. */
export function halfAliasWgsl(half: HalfType): string {
  return half === 'f16' ? `${ENABLE_F16_MARKER}\n      alias TTHalf = f16;` : 'alias TTHalf = f32;';
}

/** The precision part of the trial's `Kernels:` line. */
export function describeComputePrecision(): string {
  if (active.precision === 'f16') {
    const emulated = active.half === 'f32' ? ' (emulated in f32 for a test)' : '';
    return `f16 compute${emulated}: conv GEMMs with f16 operands and per-tile f16 sums accumulated in f32; fp32 master weights and update; dynamic loss scale`;
  }
  return active.reason ? `fp32 (${active.reason}; running in f32)` : 'fp32';
}
