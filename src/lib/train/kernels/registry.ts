import * as tf from '@tensorflow/tfjs';
import { describeBatchNormAct } from './batchnorm-act';
import { describeBiasAct } from './bias-act';
import { onWebGpu } from './program';
import { conv2dBackpropFilterOverride } from './conv-filter-grad';
import { conv2dForwardOverride } from './conv-forward';
import { conv2dBackpropInputOverride } from './conv-input-grad';
import { globalMaxOverride, maxPoolGradOverride } from './max-pool';
import { describeSoftmaxCrossEntropy } from './softmax-cross-entropy';
import { describeComputePrecision } from './compute-precision';

export type KernelMode = 'custom' | 'stock';

type KernelParams = Parameters<tf.KernelFunc>[0];

/**
 * The engine's replacement for one tfjs kernel on the webgpu backend. `run` gets the stock
 * kernelFunc and hands it every case it does not handle (a shape, a stride, a dtype), so an
 * override never has to be complete to be safe.
 */
export interface KernelOverride {
  kernelName: string;
  run(params: KernelParams, stock: tf.KernelFunc): tf.TensorInfo | tf.TensorInfo[];
  /** What the trial's log says this kernel ran with (tiles, precision). */
  describe(): string;
}

/** Every override the engine has: a kernel module exports its override and it is listed here. */
const OVERRIDES: KernelOverride[] = [conv2dForwardOverride, conv2dBackpropFilterOverride, conv2dBackpropInputOverride, maxPoolGradOverride, globalMaxOverride];

/**
 * The engine's composite ops (several dispatches of its own in place of many tfjs ops) that run
 * under `custom`: they ask `customKernelsActive()` rather than replace a registered kernel.
 */
const COMPOSITES: (() => string)[] = [describeBatchNormAct, describeBiasAct, describeSoftmaxCrossEntropy];

/** The stock configs replaced, by kernel name: restored on `useKernels('stock')`. */
const replaced = new Map<string, tf.KernelConfig>();
let mode: KernelMode = 'stock';

/**
 * Registers the engine's own kernels (`custom`) or puts tfjs's back (`stock`) for the trial about to
 * run. The worker, the train CLI and bench:train call it before each trial; on a backend other than
 * webgpu it only records the mode. Idempotent.
 */
export function useKernels(next: KernelMode): void {
  mode = next;
  if (next === 'custom' && onWebGpu()) {
    for (const override of OVERRIDES) {
      if (replaced.has(override.kernelName)) continue;
      const stock = tf.getKernel(override.kernelName, 'webgpu');
      if (!stock) continue;
      replaced.set(override.kernelName, stock);
      tf.unregisterKernel(override.kernelName, 'webgpu');
      tf.registerKernel({ ...stock, kernelFunc: (params) => override.run(params, stock.kernelFunc) });
    }
    return;
  }
  for (const [name, stock] of replaced) {
    tf.unregisterKernel(name, 'webgpu');
    tf.registerKernel(stock);
  }
  replaced.clear();
}

/** Whether the engine's own kernels are in use now: composite ops (fused BatchNorm) ask this. */
export function customKernelsActive(): boolean {
  return mode === 'custom' && onWebGpu();
}

/** The trial log's `Kernels ...` line: what ran and with which tiles and precision (after useComputePrecision). */
export function describeKernels(extra: string[] = []): string {
  if (!customKernelsActive()) return `Kernels: stock (tfjs ${tf.getBackend()} kernels), ${describeComputePrecision()}`;
  const parts = [...OVERRIDES.filter((o) => replaced.has(o.kernelName)).map((o) => o.describe()), ...COMPOSITES.map((describe) => describe()), ...extra, 'SGD update fused (1 dispatch per parameter)'];
  return `Kernels: custom (${parts.length > 0 ? parts.join('; ') : 'none registered'}), ${describeComputePrecision()}`;
}
