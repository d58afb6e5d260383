import * as tf from '@tensorflow/tfjs';
import type { Program } from './program';
import type { KernelOverride } from './registry';
import { fitTapChannels, fitTiles, gemmLimit, gemmUserCode, gemmWorkgroupSize, tapGemmUniforms, tilesKey, tilesLabel, tilesProblem, type GemmBackend, type GemmTiles } from './conv-gemm';
import { gemmHalfType, gemmPrecisionKey } from './compute-precision';
import { convGeometry, convGradCalls, geometryKey, tunedTiles, type ConvGeometry } from './conv-geometry';

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

let defaultTiles: GemmTiles = { ...DEFAULT_INPUT_TILES };

export function setInputGradTiles(tiles: GemmTiles): void {
  const problem = tilesProblem(tiles);
  if (problem) throw new Error(`Conv2DBackpropInput tiles: ${problem}.`);
  defaultTiles = { ...tiles };
}

export function inputGradTiles(): GemmTiles {
  return { ...defaultTiles };
}

export function planInputGemm(g: ConvGeometry): { m: number; n: number; k: number } {
  const [batch, inH, inW, inC] = g.inShape;
  const [fh, fw, , co] = g.filterShape;
  return { m: batch * inH * inW, n: inC, k: fh * fw * co };
}

function gemmProgram(g: ConvGeometry, tiles: GemmTiles): Program {
  const { m, n } = planInputGemm(g);
  const unit = g.strides[0] === 1 && g.strides[1] === 1;
  // At stride 1 every tap divides exactly; other strides come as uniforms (one pipeline for all).
  const taps = unit
    ? `let iy = py; let ix = px; let exact = true;`
    : `let iy = ttDiv(max(py, 0), uniforms.strideH); let ix = ttDiv(max(px, 0), uniforms.strideW);
        let exact = (iy * uniforms.strideH == py) & (ix * uniforms.strideW == px);`;
  const half = gemmHalfType();
  return {
    variableNames: ['dy', 'W'],
    outputShape: [...g.inShape],
    shaderKey: `tabtune_conv_input_grad_${tilesKey(tiles)}_${unit ? 'unit' : 'strided'}${gemmPrecisionKey()}`,
    dispatchLayout: { x: [3], y: [0, 1, 2] },
    dispatch: [Math.ceil(n / tiles.tileN), Math.ceil(m / tiles.tileM), 1],
    workgroupSize: gemmWorkgroupSize(tiles),
    size: false,
    uniforms: 'padTop : i32, padLeft : i32, strideH : i32, strideW : i32, dimM : i32, dimN : i32, channelTiles : i32, numTiles : i32,',
    getUserCode: () =>
      gemmUserCode({
        tiles,
        half,
        aAlongK: true,
        bAlongK: true,
        // K runs tap by tap, each tap's output channels in whole tiles: a tile never straddles two
        // taps, so its tap (and the part of every address that depends on it) is worked out once.
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
        kRange: `
        let numTiles = uniforms.numTiles;`,
        outIndex: 'm * uniforms.dimN + n',
      }),
  };
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
  return fitInputTiles(g, tunedTiles.input.get(geometryKey(g)) ?? defaultTiles);
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
  if (!dy || !filter || dy.dtype !== 'float32' || filter.dtype !== 'float32') return null;
  const g = convGeometry(attrs.inputShape, filter.shape, attrs.strides, attrs.pad, attrs.dataFormat, attrs.dimRoundingMode);
  if (!g) return null;
  const expected = [g.inShape[0], g.outShape[1], g.outShape[2], g.filterShape[3]];
  return dy.shape.length === 4 && dy.shape.every((d, i) => d === expected[i]) ? g : null;
}

export const conv2dBackpropInputOverride: KernelOverride = {
  kernelName: 'Conv2DBackpropInput',
  run(params, stock) {
    const g = inputGradGeometry(params);
    const tiles = g && tilesForInputGrad(g);
    if (!g || !tiles || unsupported(g, tiles)) {
      convGradCalls.inputStock++;
      return stock(params);
    }
    convGradCalls.inputOwn++;
    const { dy, filter } = params.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    return runInputGrad(params.backend as unknown as GemmBackend, dy, filter, g, tiles);
  },
  describe() {
    const tuned = tunedTiles.input.size > 0 ? `, ${tunedTiles.input.size} layer shapes autotuned` : '';
    return `Conv2DBackpropInput implicit GEMM ${tilesLabel(defaultTiles)}${tuned}`;
  },
};
