import * as tf from '@tensorflow/tfjs';
import type { Program } from './program';
import type { KernelOverride } from './registry';
import { fitTiles, fitsDiv, fitsI32, gemmUserCode, gemmWorkgroupSize, MAX_GROUPS, tilesKey, tilesLabel, tilesProblem, type GemmBackend } from './conv-gemm';
import { gemmHalfType, gemmPrecisionKey } from './compute-precision';
import { convGeometry, matchingOutputGradient, type ConvGeometry, type FilterGradTiles } from './conv-geometry';
import { convOverride, defaultTiles, layerTiles } from './conv-override';

/**
 * Conv2DBackpropFilter as an implicit GEMM with split K:
 *   dW[fh, fw, ci, co] = Σ_{b, oy, ox} x[b, oy·sh + fh − padTop, ox·sw + fw − padLeft, ci] · dy[b, oy, ox, co]
 * is C = A·B with M = fh·fw·ci (rows of A: the im2col of x, gathered as tiles load), N = co and
 * K = batch·outH·outW (B = dy viewed as a K × N matrix, which it is in memory). K is long and M·N
 * small for a conv's weights (3·3·64·64 outputs against 512·32·32 summands at full size), so one
 * workgroup per output tile would leave most of a GPU idle: the K range is cut into `splits`
 * slices along the dispatch's z, each writes its partial C into a [splits, M, N] buffer, and a
 * second pass sums the slices into dW. With one split the GEMM writes dW directly.
 */

export const DEFAULT_FILTER_TILES: FilterGradTiles = { tileM: 64, tileN: 32, tileK: 8, threadM: 8, threadN: 4, fit: true, square: true, splitK: 'auto' };

/** 'auto' split count: aim for this many workgroups in all... */
const SPLIT_TARGET_GROUPS = 256;
/** ...but give each split at least this much of K... */
const SPLIT_MIN_K = 256;
/** ...and never more than this many splits, nor a partial buffer over this many floats. */
const SPLIT_MAX = 64;
const PARTIAL_MAX_FLOATS = 1 << 24;

const defaults = defaultTiles('Conv2DBackpropFilter', DEFAULT_FILTER_TILES);

/** Replaces the tiles every layer without tuned tiles uses (tests and benchmarks pick configurations this way). */
export function setFilterGradTiles(tiles: FilterGradTiles): void {
  defaults.set(tiles);
}

export function filterGradTiles(): FilterGradTiles {
  return defaults.get();
}

export interface FilterGemmPlan {
  m: number;
  n: number;
  /** The GEMM's true depth: batch · outH · outW. */
  k: number;
  /** K tiles: each is tileK consecutive output columns of one output row (batch, oy). */
  kTiles: number;
  /** K tiles per output row: ⌈outW / tileK⌉. */
  rowTiles: number;
  splits: number;
  /** K tiles per split. */
  tilesPerSplit: number;
}

/** The GEMM's sizes and how K is split for one layer under one tile configuration. */
export function planFilterGemm(g: ConvGeometry, tiles: FilterGradTiles): FilterGemmPlan {
  const [fh, fw, ci, co] = g.filterShape;
  const [batch, outH, outW] = g.outShape;
  const m = fh * fw * ci;
  const n = co;
  const k = batch * outH * outW;
  const rowTiles = Math.ceil(outW / tiles.tileK);
  const kTiles = batch * outH * rowTiles;
  let wanted: number;
  if (tiles.splitK === 'auto') {
    const groups = Math.ceil(m / tiles.tileM) * Math.ceil(n / tiles.tileN);
    wanted = Math.min(Math.ceil(SPLIT_TARGET_GROUPS / groups), Math.floor(k / SPLIT_MIN_K), SPLIT_MAX);
  } else {
    wanted = Math.floor(tiles.splitK);
  }
  wanted = Math.max(1, Math.min(wanted, kTiles, Math.floor(PARTIAL_MAX_FLOATS / (m * n)) || 1));
  const tilesPerSplit = Math.ceil(kTiles / wanted);
  return { m, n, k, kTiles, rowTiles, splits: Math.ceil(kTiles / tilesPerSplit), tilesPerSplit };
}

function gemmProgram(g: ConvGeometry, tiles: FilterGradTiles, plan: FilterGemmPlan): Program {
  const direct = plan.splits === 1;
  const outputShape = direct ? [...g.filterShape] : [plan.splits, plan.m, plan.n];
  const half = gemmHalfType();
  return {
    variableNames: ['x', 'dy'],
    outputShape,
    shaderKey: `tabtune_conv_filter_grad_${tilesKey(tiles)}_${direct ? 'direct' : 'split'}${gemmPrecisionKey()}`,
    dispatchLayout: direct ? { x: [3], y: [0, 1, 2] } : { x: [2], y: [1], z: [0] },
    dispatch: [Math.ceil(plan.n / tiles.tileN), Math.ceil(plan.m / tiles.tileM), plan.splits],
    workgroupSize: gemmWorkgroupSize(tiles),
    size: false,
    uniforms: 'padTop : i32, padLeft : i32, strideH : i32, strideW : i32, filterW : i32, dimM : i32, dimN : i32, kTiles : i32, rowTiles : i32, tilesPerSplit : i32,',
    getUserCode: () =>
      gemmUserCode({
        tiles,
        half,
        aAlongK: false,
        bAlongK: false,
        // A K tile is tileK neighbouring output columns of one output row (batch, oy): its row is
        // worked out once per tile, and within it k advances by one column, so no load divides.
        helpers: `
      struct ARow { ci : i32, fh : i32, fw : i32, ok : bool, }
      fn ttARow(m : i32) -> ARow {
        let t = ttDiv(m, uniforms.xShape.w);
        let f = ttDiv(t, uniforms.filterW);
        return ARow(m - t * uniforms.xShape.w, f, t - f * uniforms.filterW, m < uniforms.dimM);
      }
      struct Tile { b : i32, iy0 : i32, ox0 : i32, row : i32, ok : bool, }
      fn ttTile(t : i32) -> Tile {
        let tile = kStart + t;
        let row = ttDiv(tile, uniforms.rowTiles);
        let b = ttDiv(row, uniforms.dyShape.y);
        let oy = row - b * uniforms.dyShape.y;
        return Tile(b, oy * uniforms.strideH - uniforms.padTop, (tile - row * uniforms.rowTiles) * ${tiles.tileK}, row, tile < kEnd);
      }
      fn ttLoadA(r : ARow, kk : i32, tile : Tile) -> f32 {
        let ox = tile.ox0 + kk;
        let iy = tile.iy0 + r.fh;
        let ix = ox * uniforms.strideW + r.fw - uniforms.padLeft;
        let ok = r.ok & tile.ok & (ox < uniforms.dyShape.z) & (iy >= 0) & (iy < uniforms.xShape.y) & (ix >= 0) & (ix < uniforms.xShape.z);
        return select(0.0, x[select(0, ((tile.b * uniforms.xShape.y + iy) * uniforms.xShape.z + ix) * uniforms.xShape.w + r.ci, ok)], ok);
      }
      struct BCol { n : i32, ok : bool, }
      fn ttBCol(n : i32) -> BCol { return BCol(n, n < uniforms.dimN); }
      fn ttLoadB(c : BCol, kk : i32, tile : Tile) -> f32 {
        let ox = tile.ox0 + kk;
        let ok = c.ok & tile.ok & (ox < uniforms.dyShape.z);
        return select(0.0, dy[select(0, (tile.row * uniforms.dyShape.z + ox) * uniforms.dimN + c.n, ok)], ok);
      }`,
        // kStart and kEnd count K tiles here.
        kRange: `
        let split = i32(workgroupId.z);
        kStart = split * uniforms.tilesPerSplit;
        kEnd = min(uniforms.kTiles, kStart + uniforms.tilesPerSplit);
        let numTiles = uniforms.tilesPerSplit;`,
        outIndex: direct ? 'm * uniforms.dimN + n' : '(split * uniforms.dimM + m) * uniforms.dimN + n',
      }),
  };
}

const REDUCE_WORKGROUP = 64;

/** Sums the [splits, M, N] partials into dW, four floats per thread where M·N allows. */
function reduceProgram(filterShape: number[], splits: number, size: number): Program {
  const component = size % 4 === 0 ? 4 : 1;
  return {
    variableNames: ['P'],
    outputShape: filterShape,
    shaderKey: `tabtune_conv_filter_grad_reduce_${component}`,
    dispatchLayout: { x: [0, 1, 2, 3] },
    dispatch: [Math.ceil(size / component / REDUCE_WORKGROUP), 1, 1],
    workgroupSize: [REDUCE_WORKGROUP, 1, 1],
    size: true,
    uniforms: 'splits : i32, slice : i32,',
    outputComponent: component,
    variableComponents: [component],
    getUserCode: () => `
      fn main(index : i32) {
        if (index < uniforms.size) {
          var sum = P[index];
          for (var s = 1; s < uniforms.splits; s = s + 1) {
            sum = sum + P[index + s * uniforms.slice];
          }
          setOutputAtIndex(index, sum);
        }
      }
    `,
  };
}

/** Why this geometry and these tiles cannot run here, or null. */
function unsupported(g: ConvGeometry, tiles: FilterGradTiles, plan: FilterGemmPlan): string | null {
  if (tilesProblem(tiles)) return 'tiles';
  if (Math.ceil(plan.n / tiles.tileN) > MAX_GROUPS || Math.ceil(plan.m / tiles.tileM) > MAX_GROUPS) return 'dispatch';
  const xSize = g.inShape.reduce((a, b) => a * b, 1);
  if (!fitsI32(xSize, plan.k * plan.n, plan.splits * plan.m * plan.n)) return 'size';
  if (!fitsDiv(plan.kTiles, plan.m)) return 'size';
  return null;
}

/** Runs the own kernel on one geometry with given tiles (autotuning calls this directly). */
export function runFilterGrad(backend: GemmBackend, x: tf.TensorInfo, dy: tf.TensorInfo, g: ConvGeometry, tiles: FilterGradTiles): tf.TensorInfo {
  const plan = planFilterGemm(g, tiles);
  const uniforms = [g.pads[0], g.pads[1], g.strides[0], g.strides[1], g.filterShape[1], plan.m, plan.n, plan.kTiles, plan.rowTiles, plan.tilesPerSplit].map((v) => ({ type: 'int32', data: [v] }));
  const gemm = backend.runWebGPUProgram(gemmProgram(g, tiles, plan), [x, dy], 'float32', uniforms);
  if (plan.splits === 1) return gemm;
  const size = plan.m * plan.n;
  const component = size % 4 === 0 ? 4 : 1;
  const reduceUniforms = [
    { type: 'int32', data: [plan.splits] },
    { type: 'int32', data: [size / component] },
  ];
  const out = backend.runWebGPUProgram(reduceProgram(g.filterShape, plan.splits, size), [gemm], 'float32', reduceUniforms);
  backend.disposeData(gemm.dataId);
  return out;
}

/** The tiles this layer runs with: tuned for its shape if autotuning ran, else the default. */
export function tilesForFilterGrad(g: ConvGeometry): FilterGradTiles {
  return layerTiles('filter', g, defaults, fitFilterTiles);
}

/** `tiles` as this layer runs them: fitted to its M × N when they ask to be. */
export function fitFilterTiles(g: ConvGeometry, tiles: FilterGradTiles): FilterGradTiles {
  const [fh, fw, ci, co] = g.filterShape;
  return fitTiles(tiles, fh * fw * ci, co);
}

type Params = Parameters<tf.KernelFunc>[0];

export function filterGradGeometry(params: Params): ConvGeometry | null {
  const { x, dy } = params.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = params.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (!x || x.dtype !== 'float32') return null;
  return matchingOutputGradient(convGeometry(x.shape, attrs.filterShape, attrs.strides, attrs.pad, attrs.dataFormat, attrs.dimRoundingMode), dy);
}

export const conv2dBackpropFilterOverride: KernelOverride = convOverride({
  kind: 'filter',
  kernelName: 'Conv2DBackpropFilter',
  geometry: filterGradGeometry,
  tiles: tilesForFilterGrad,
  unsupported: (g, tiles) => unsupported(g, tiles, planFilterGemm(g, tiles)),
  run(params, g, tiles) {
    const { x, dy } = params.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    return runFilterGrad(params.backend as unknown as GemmBackend, x, dy, g, tiles);
  },
  label() {
    const t = defaults.get();
    const split = t.splitK === 'auto' ? `K split from its length (≥ ${SPLIT_MIN_K} per split, ≤ ${SPLIT_MAX} splits)` : `K split ${t.splitK} ways`;
    return `Conv2DBackpropFilter split-K GEMM ${tilesLabel(t)}, ${split}`;
  },
});
