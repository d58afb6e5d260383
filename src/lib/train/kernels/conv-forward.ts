import * as tf from '@tensorflow/tfjs';
import type { Program } from './program';
import type { KernelOverride } from './registry';
import { fitTapChannels, fitTiles, gemmLimit, tapGemmProgram, tapGemmUniforms, tilesKey, tilesLabel, type GemmBackend, type GemmTiles } from './conv-gemm';
import { convGeometry, type ConvGeometry } from './conv-geometry';
import { convOverride, defaultTiles, layerTiles } from './conv-override';

/**
 * Conv2D (the forward convolution) on the same implicit-GEMM body as the two gradients:
 *   y[b, oy, ox, co] = Σ_{fh, fw, ci} x[b, oy·sh + fh − padTop, ox·sw + fw − padLeft, ci] · W[fh, fw, ci, co]
 * C = A·B with M = batch·outH·outW (y's pixels), N = co and K = fh·fw·ci. A is x gathered per tap
 * (contiguous along K: a pixel's channels), B is W as it is stored ([fh·fw·ci, co], contiguous
 * along N). K runs tap by tap in whole channel tiles, so a tile's tap is worked out once.
 */

export const DEFAULT_FORWARD_TILES: GemmTiles = { tileM: 64, tileN: 32, tileK: 8, threadM: 8, threadN: 4, fit: true, square: true };

const defaults = defaultTiles('Conv2D', DEFAULT_FORWARD_TILES);

export function setForwardTiles(tiles: GemmTiles): void {
  defaults.set(tiles);
}

export function forwardTiles(): GemmTiles {
  return defaults.get();
}

/** `tiles` as this layer runs them: fitted to its M × N when they ask to be. */
export function fitForwardTiles(g: ConvGeometry, tiles: GemmTiles): GemmTiles {
  const { m, n } = planForwardGemm(g);
  return fitTiles(fitTapChannels(tiles, g.filterShape[2]), m, n);
}

export function planForwardGemm(g: ConvGeometry): { m: number; n: number; k: number } {
  const [batch, outH, outW, outC] = g.outShape;
  const [fh, fw, ci] = g.filterShape;
  return { m: batch * outH * outW, n: outC, k: fh * fw * ci };
}

function gemmProgram(g: ConvGeometry, tiles: GemmTiles): Program {
  return tapGemmProgram({
    variableNames: ['x', 'W'],
    outputShape: [...g.outShape],
    shaderKey: `tabtune_conv_forward_${tilesKey(tiles)}`,
    gemm: planForwardGemm(g),
    tiles,
    bAlongK: false,
    helpers: `
      struct ARow { b : i32, y : i32, x : i32, ok : bool, }
      fn ttARow(m : i32) -> ARow {
        let t = ttDiv(m, uniforms.outShape.z);
        let b = ttDiv(t, uniforms.outShape.y);
        let oy = t - b * uniforms.outShape.y;
        let ox = m - t * uniforms.outShape.z;
        return ARow(b, oy * uniforms.strideH - uniforms.padTop, ox * uniforms.strideW - uniforms.padLeft, m < uniforms.dimM);
      }
      struct Tile { fh : i32, fw : i32, c0 : i32, wBase : i32, }
      fn ttTile(t : i32) -> Tile {
        let tap = ttDiv(t, uniforms.channelTiles);
        let fh = ttDiv(tap, uniforms.wShape.y);
        return Tile(fh, tap - fh * uniforms.wShape.y, (t - tap * uniforms.channelTiles) * ${tiles.tileK}, tap * uniforms.xShape.w * uniforms.dimN);
      }
      fn ttLoadA(row : ARow, kk : i32, tile : Tile) -> f32 {
        let c = tile.c0 + kk;
        let iy = row.y + tile.fh;
        let ix = row.x + tile.fw;
        let ok = row.ok & (c < uniforms.xShape.w) & (iy >= 0) & (ix >= 0) & (iy < uniforms.xShape.y) & (ix < uniforms.xShape.z);
        return select(0.0, x[select(0, ((row.b * uniforms.xShape.y + iy) * uniforms.xShape.z + ix) * uniforms.xShape.w + c, ok)], ok);
      }
      struct BCol { n : i32, ok : bool, }
      fn ttBCol(n : i32) -> BCol { return BCol(n, n < uniforms.dimN); }
      fn ttLoadB(col : BCol, kk : i32, tile : Tile) -> f32 {
        let c = tile.c0 + kk;
        let ok = col.ok & (c < uniforms.xShape.w);
        return select(0.0, W[select(0, tile.wBase + c * uniforms.dimN + col.n, ok)], ok);
      }`,
  });
}

function unsupported(g: ConvGeometry, tiles: GemmTiles): string | null {
  return gemmLimit(tiles, planForwardGemm(g), g.inShape.reduce((a, b) => a * b, 1));
}

export function runForward(backend: GemmBackend, x: tf.TensorInfo, filter: tf.TensorInfo, g: ConvGeometry, tiles: GemmTiles): tf.TensorInfo {
  const { m, n } = planForwardGemm(g);
  const uniforms = tapGemmUniforms(g, m, n, g.filterShape[2], tiles.tileK);
  return backend.runWebGPUProgram(gemmProgram(g, tiles), [x, filter], 'float32', uniforms);
}

type Params = Parameters<tf.KernelFunc>[0];

function forwardGeometry(params: Params): ConvGeometry | null {
  const { x, filter } = params.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = params.attrs as unknown as tf.Conv2DAttrs;
  if (!x || !filter || x.dtype !== 'float32' || filter.dtype !== 'float32') return null;
  const dilations = typeof attrs.dilations === 'number' ? [attrs.dilations, attrs.dilations] : (attrs.dilations ?? [1, 1]);
  if (dilations[0] !== 1 || dilations[1] !== 1) return null;
  return convGeometry(x.shape, filter.shape, attrs.strides, attrs.pad as Parameters<typeof convGeometry>[3], attrs.dataFormat, attrs.dimRoundingMode);
}

export const conv2dForwardOverride: KernelOverride = convOverride({
  kind: 'forward',
  kernelName: 'Conv2D',
  geometry: forwardGeometry,
  tiles: (g) => layerTiles('forward', g, defaults, fitForwardTiles),
  unsupported,
  run(params, g, tiles) {
    const { x, filter } = params.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
    return runForward(params.backend as unknown as GemmBackend, x, filter, g, tiles);
  },
  label: () => `Conv2D implicit GEMM ${tilesLabel(defaults.get())}`,
});
