import type * as tf from '@tensorflow/tfjs';
import { tilesProblem, type GemmTiles } from './conv-gemm';
import { convGradCalls, geometryKey, tunedTiles, type ConvGeometry, type FilterGradTiles } from './conv-geometry';
import type { KernelOverride } from './registry';

/**
 * What the three convolution overrides (forward, input gradient, filter gradient) share: their
 * default tiles, checked when replaced, and the registration that hands tfjs's kernel every layer
 * the GEMM does not take, counting which ran.
 */

type Params = Parameters<tf.KernelFunc>[0];
export type ConvKind = 'forward' | 'input' | 'filter';
type TilesOf<K extends ConvKind> = K extends 'filter' ? FilterGradTiles : GemmTiles;

/** The tiles every layer without tuned tiles runs with, replaceable (tests and benchmarks pick configurations this way). */
export interface DefaultTiles<T extends GemmTiles> {
  get(): T;
  set(tiles: T): void;
}

export function defaultTiles<T extends GemmTiles>(kernelName: string, initial: T): DefaultTiles<T> {
  let current = { ...initial };
  return {
    get: () => ({ ...current }),
    set(tiles: T) {
      const problem = tilesProblem(tiles);
      if (problem) throw new Error(`${kernelName} tiles: ${problem}.`);
      current = { ...tiles };
    },
  };
}

/** A layer's tiles: tuned for its shape if autotuning ran, else the default, fitted by `fit`. */
export function layerTiles<K extends ConvKind>(kind: K, g: ConvGeometry, defaults: DefaultTiles<TilesOf<K>>, fit: (g: ConvGeometry, tiles: TilesOf<K>) => TilesOf<K>): TilesOf<K> {
  const tuned = (tunedTiles[kind] as Map<string, TilesOf<K>>).get(geometryKey(g));
  return fit(g, tuned ?? defaults.get());
}

export interface ConvOverrideSpec<K extends ConvKind> {
  kind: K;
  kernelName: string;
  /** The layer's geometry, or null for a case the GEMM does not describe (tfjs runs it). */
  geometry(params: Params): ConvGeometry | null;
  tiles(g: ConvGeometry): TilesOf<K>;
  /** Why the GEMM cannot run this layer with these tiles, or null. */
  unsupported(g: ConvGeometry, tiles: TilesOf<K>): string | null;
  run(params: Params, g: ConvGeometry, tiles: TilesOf<K>): tf.TensorInfo;
  /** The Kernels line's words, before the count of autotuned shapes. */
  label(): string;
}

export function convOverride<K extends ConvKind>(spec: ConvOverrideSpec<K>): KernelOverride {
  return {
    kernelName: spec.kernelName,
    run(params, stock) {
      const g = spec.geometry(params);
      const tiles = g && spec.tiles(g);
      if (!g || !tiles || spec.unsupported(g, tiles)) {
        convGradCalls[`${spec.kind}Stock`]++;
        return stock(params);
      }
      convGradCalls[`${spec.kind}Own`]++;
      return spec.run(params, g, tiles);
    },
    describe() {
      const tuned = tunedTiles[spec.kind].size;
      return `${spec.label()}${tuned > 0 ? `, ${tuned} layer shapes autotuned` : ''}`;
    },
  };
}
