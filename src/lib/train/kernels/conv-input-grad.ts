import * as tf from '@tensorflow/tfjs';
import type { Program } from './program';
import type { KernelOverride } from './registry';
import { fitTapChannels, fitTiles, gemmLimit, tapGemmProgram, tapGemmUniforms, tilesKey, tilesLabel, type GemmBackend, type GemmTiles } from './conv-gemm';
import { convGeometry, matchingOutputGradient, type ConvGeometry } from './conv-geometry';
import { convOverride, defaultTiles, layerTiles } from './conv-override';

/**
 * Conv2DBackpropInput (the transposed convolution) as an implicit GEMM:
 *   dx[b, y, x, ci] = Σ_{fh, fw, co} dy[b, (y + padTop − fh)/sh, (x + padLeft − fw)/sw, co] · W[fh, fw, ci, co]
 * over the taps where both divisions are exact and land inside dy. C = A·B with M = batch·inH·inW
 * (dx's pixels), N = ci and K = fh·fw·co; A is dy gathered per tap, B the filter W read with ci and
 * co swapped (W[fh, fw, ·, ·] transposed), both contiguous along K. At stride 2 three taps in four
 * are exact-division misses and load zeros: the same arithmetic as stride 1 on a quarter of the
 * useful work, which a pass per output parity would recover.
 */

export const DEFAULT_INPUT_TILES: GemmTiles = { tileM: 64, tileN: 32, tileK: 8, threadM: 8, threadN: 4, fit: true, square: true };

const defaults = defaultTiles('Conv2DBackpropInput', DEFAULT_INPUT_TILES);

export function setInputGradTiles(tiles: GemmTiles): void {
  defaults.set(tiles);
}

export function inputGradTiles(): GemmTiles {
  return defaults.get();
}

export function planInputGemm(g: ConvGeometry): { m: number; n: number; k: number } {
  const [batch, inH, inW, inC] = g.inShape;
  const [fh, fw, , co] = g.filterShape;
  return { m: batch * inH * inW, n: inC, k: fh * fw * co };
}

function gemmProgram(g: ConvGeometry, tiles: GemmTiles): Program {
  const unit = g.strides[0] === 1 && g.strides[1] === 1;
  // At stride 1 every tap divides exactly; other strides come as uniforms (one pipeline for all).
  const taps = unit
    ? `let iy = py; let ix = px; let exact = true;`
    : `let iy = ttDiv(max(py, 0), uniforms.strideH); let ix = ttDiv(max(px, 0), uniforms.strideW);
        let exact = (iy * uniforms.strideH == py) & (ix * uniforms.strideW == px);`;
  return tapGemmProgram({
    variableNames: ['dy', 'W'],
    outputShape: [...g.inShape],
    shaderKey: `tabtune_conv_input_grad_${tilesKey(tiles)}_${unit ? 'unit' : 'strided'}`,
    gemm: planInputGemm(g),
    tiles,
    bAlongK: true,
    helpers: `
      struct ARow { b : i32, y : i32, x : i32, ok : bool, }
      fn ttARow(m : i32) -> ARow {
        let t = ttDiv(m, uniforms.outShape.z);
        let b = ttDiv(t, uniforms.outShape.y);
        return ARow(b, t - b * uniforms.outShape.y + uniforms.padTop, m - t * uniforms.outShape.z + uniforms.padLeft, m < uniforms.dimM);
      }
      struct Tile { fh : i32, fw : i32, c0 : i32, wBase : i32, }
      fn ttTile(t : i32) -> Tile {
        let tap = ttDiv(t, uniforms.channelTiles);
        let fh = ttDiv(tap, uniforms.wShape.y);
        return Tile(fh, tap - fh * uniforms.wShape.y, (t - tap * uniforms.channelTiles) * ${tiles.tileK}, tap * uniforms.dimN * uniforms.dyShape.w);
      }
      fn ttLoadA(row : ARow, kk : i32, tile : Tile) -> f32 {
        let co = tile.c0 + kk;
        let py = row.y - tile.fh;
        let px = row.x - tile.fw;
        ${taps}
        let ok = row.ok & exact & (co < uniforms.dyShape.w) & (py >= 0) & (px >= 0) & (iy < uniforms.dyShape.y) & (ix < uniforms.dyShape.z);
        return select(0.0, dy[select(0, ((row.b * uniforms.dyShape.y + iy) * uniforms.dyShape.z + ix) * uniforms.dyShape.w + co, ok)], ok);
      }
      struct BCol { n : i32, ok : bool, }
      fn ttBCol(n : i32) -> BCol { return BCol(n, n < uniforms.dimN); }
      fn ttLoadB(col : BCol, kk : i32, tile : Tile) -> f32 {
        let co = tile.c0 + kk;
        let ok = col.ok & (co < uniforms.dyShape.w);
        return select(0.0, W[select(0, tile.wBase + col.n * uniforms.dyShape.w + co, ok)], ok);
      }`,
  });
}

function unsupported(g: ConvGeometry, tiles: GemmTiles): string | null {
  return gemmLimit(tiles, planInputGemm(g), g.outShape.reduce((a, b) => a * b, 1));
}

export function runInputGrad(backend: GemmBackend, dy: tf.TensorInfo, filter: tf.TensorInfo, g: ConvGeometry, tiles: GemmTiles): tf.TensorInfo {
  const { m, n } = planInputGemm(g);
  const uniforms = tapGemmUniforms(g, m, n, g.filterShape[3], tiles.tileK);
  return backend.runWebGPUProgram(gemmProgram(g, tiles), [dy, filter], 'float32', uniforms);
}

export function tilesForInputGrad(g: ConvGeometry): GemmTiles {
  return layerTiles('input', g, defaults, fitInputTiles);
}

/** `tiles` as this layer runs them: fitted to its M × N when they ask to be. */
export function fitInputTiles(g: ConvGeometry, tiles: GemmTiles): GemmTiles {
  const { m, n } = planInputGemm(g);
  return fitTiles(fitTapChannels(tiles, g.filterShape[3]), m, n);
}

type Params = Parameters<tf.KernelFunc>[0];

export function inputGradGeometry(params: Params): ConvGeometry | null {
  const { dy, filter } = params.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = params.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  if (!filter || filter.dtype !== 'float32') return null;
  return matchingOutputGradient(convGeometry(attrs.inputShape, filter.shape, attrs.strides, attrs.pad, attrs.dataFormat, attrs.dimRoundingMode), dy);
}

export const conv2dBackpropInputOverride: KernelOverride = convOverride({
  kind: 'input',
  kernelName: 'Conv2DBackpropInput',
  geometry: inputGradGeometry,
  tiles: tilesForInputGrad,
  unsupported,
  run(params, g, tiles) {
    const { dy, filter } = params.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    return runInputGrad(params.backend as unknown as GemmBackend, dy, filter, g, tiles);
  },
  label: () => `Conv2DBackpropInput implicit GEMM ${tilesLabel(defaults.get())}`,
});
