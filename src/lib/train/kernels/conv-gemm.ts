import * as tf from '@tensorflow/tfjs';
import { gemmHalfType, gemmPrecisionKey, halfAliasWgsl, type HalfType } from './compute-precision';
import type { Program } from './program';

/**
 * The tiled GEMM both convolution gradients share: C[M, N] = Σ_k A[m, k] · B[k, n], where A and
 * B are never stored but gathered from the convolution's tensors as each tile is loaded.
 *
 * One workgroup computes a tileM × tileN block of C. Its (tileN / threadN) × (tileM / threadM)
 * threads step through K tileK at a time: together they copy the A tile (tileM × tileK) and the B
 * tile (tileK × tileN) into workgroup memory, then each thread multiplies its threadM × threadN
 * register block out of them. A thread's rows are m0 + ty + r·(tileM / threadM) and its columns
 * n0 + tx + c·(tileN / threadN), strided rather than adjacent, so neighbouring threads read
 * neighbouring words of workgroup memory and write neighbouring words of C.
 *
 * Every loop and slot is unrolled here in TypeScript: SwiftShader's Subzero JIT does not unroll,
 * and a GPU compiler loses nothing by it.
 */
export interface GemmTiles {
  /** Rows of C (M) per workgroup. */
  tileM: number;
  /** Columns of C (N) per workgroup. */
  tileN: number;
  /** Depth (K) of the tiles staged in workgroup memory per step. */
  tileK: number;
  /** Rows per thread (register block). */
  threadM: number;
  /** Columns per thread (register block). */
  threadN: number;
  /**
   * Reshape tileM × tileN per layer, keeping its area and the thread block, to the power-of-two
   * pair that pads the layer's M × N least (a layer with 16 output channels gets 128 × 16 tiles, not
   * 64 × 32 tiles half empty), up to 16 unrolled loads per thread and matrix. False: the tiles as given, for every layer.
   */
  fit: boolean;
  /**
   * With fit, a layer whose N fills tileN runs a square thread block: threadN raised to threadM and
   * tileN with it (the same thread count, twice the tile), then reshaped as above. A square block
   * reads the fewest workgroup-memory words per multiply; narrower layers would pad it, so they keep
   * the block as given. Absent or false: the block as given for every layer.
   */
  square?: boolean;
}

const FIT_MAX_LOADS = 16;

/** The tiles one layer runs with: `t` itself, or with fit, its reshaping to M × N. */
export function fitTiles<T extends GemmTiles>(t: T, m: number, n: number): T {
  if (!t.fit) return t;
  if (t.square && t.threadN < t.threadM && n >= t.tileN) {
    // On SwiftShader, 8×8 per thread instead of 8×4 took the forward and both gradients of
    // resnet9's 32- and 64-channel layers 10–40 % faster (bench:tiles); on its 8- and 16-channel
    // layers it was slower, which is why N decides.
    const square = { ...t, square: false, threadN: t.threadM, tileN: (t.tileN * t.threadM) / t.threadN };
    if (!tilesProblem(square)) return fitTiles(square, m, n);
  }
  const area = t.tileM * t.tileN;
  let best = t;
  let bestPadded = Infinity;
  for (let tileN = t.threadN; tileN <= area / t.threadM; tileN *= 2) {
    const tileM = area / tileN;
    if (!Number.isInteger(tileM) || tileM % t.threadM !== 0 || tileN % t.threadN !== 0) continue;
    // Each thread's share of a tile's loads is unrolled: past 16 loads per matrix the shader
    // compiles slowly (SwiftShader: ~1 s) for little gain, so fitting stops there.
    const threads = (tileM / t.threadM) * (tileN / t.threadN);
    if (tileN !== t.tileN && Math.max(tileM, tileN) * t.tileK > FIT_MAX_LOADS * threads) continue;
    const padded = Math.ceil(m / tileM) * tileM * Math.ceil(n / tileN) * tileN;
    // Ties go to the squarer tile (fewer loads per multiply).
    const better = padded < bestPadded || (padded === bestPadded && Math.abs(Math.log2(tileM / tileN)) < Math.abs(Math.log2(best.tileM / best.tileN)));
    if (better && !tilesProblem({ ...t, tileM, tileN })) {
      best = { ...t, tileM, tileN };
      bestPadded = padded;
    }
  }
  // A narrow N (8 output channels, say) still leaves half of every tile empty at the narrowest
  // tile the thread block allows: halve the block's rows, keeping the thread count, and fit again.
  // On SwiftShader this took airbench's 8-channel layers from 128×16 to 128×8 tiles, 20–30 %
  // faster in all three kernels; a GPU wastes the empty lanes just the same.
  if (best.tileN >= 2 * n && t.threadM % 2 === 0 && t.tileM % 2 === 0) {
    const narrow = fitTiles({ ...t, tileM: t.tileM / 2, threadM: t.threadM / 2 }, m, n);
    if (narrow.tileN < best.tileN) return narrow;
  }
  return best;
}

/**
 * For the GEMMs whose K tiles hold one filter tap's channels (forward, input gradient): a layer with
 * fewer channels than tileK would load zeros into most of every K tile (airbench's whitening conv:
 * 3 input channels in tiles of 8), so fitted tiles shrink tileK to the power of two that holds them.
 */
export function fitTapChannels<T extends GemmTiles>(t: T, channels: number): T {
  if (!t.fit || channels >= t.tileK) return t;
  let tileK = 1;
  while (tileK < channels) tileK *= 2;
  return { ...t, tileK };
}

/** WebGPU's guaranteed minimums (maxComputeInvocationsPerWorkgroup, maxComputeWorkgroupStorageSize). */
const MAX_INVOCATIONS = 256;
const MAX_WORKGROUP_BYTES = 16384;

export function gemmWorkgroupSize(t: GemmTiles): [number, number, number] {
  return [t.tileN / t.threadN, t.tileM / t.threadM, 1];
}

/** Why a tile configuration cannot run, or null when it can. */
export function tilesProblem(t: GemmTiles): string | null {
  const values = [t.tileM, t.tileN, t.tileK, t.threadM, t.threadN];
  if (!values.every((v) => Number.isInteger(v) && v > 0)) return 'tile sizes must be positive integers';
  if (t.tileM % t.threadM !== 0 || t.tileN % t.threadN !== 0) return 'the thread block must divide the tile';
  const [x, y] = gemmWorkgroupSize(t);
  if (x * y > MAX_INVOCATIONS) return `${x * y} threads per workgroup (at most ${MAX_INVOCATIONS})`;
  if (4 * t.tileK * (t.tileM + t.tileN + 2) > MAX_WORKGROUP_BYTES) return 'the tiles exceed 16 KiB of workgroup memory';
  if (t.threadM * t.threadN > 64) return 'more than 64 accumulators per thread';
  return null;
}

export function tilesKey(t: GemmTiles): string {
  return `${t.tileM}x${t.tileN}x${t.tileK}_${t.threadM}x${t.threadN}`;
}

export function tilesLabel(t: GemmTiles): string {
  return `${t.tileM}×${t.tileN}×${t.tileK} tiles${t.fit ? ' (reshaped per layer to fit M×N)' : ''}, ${t.threadM}×${t.threadN} per thread${t.fit && t.square ? ` (${t.threadM}×${t.threadM} where N fills a tile)` : ''}`;
}

/** What one kernel supplies to the shared GEMM body. */
export interface GemmSource {
  tiles: GemmTiles;
  /** A's tile is loaded with consecutive threads along k (true) or along m (false): whichever is contiguous in memory. */
  aAlongK: boolean;
  bAlongK: boolean;
  /**
   * WGSL helpers: `struct ARow` and `fn ttARow(m : i32) -> ARow` (what of A's address depends on m
   * alone, computed once per thread and slot), `struct Tile` and `fn ttTile(t : i32) -> Tile` (what
   * depends on the K tile alone, computed once per tile), and `fn ttLoadA(row : ARow, kk : i32,
   * tile : Tile) -> f32` for A[m, tile's k + kk]; the same for B with `BCol`, `ttBCol(n)` and
   * `ttLoadB(col, kk, tile)`. Loads return 0 outside the matrix. `ttDiv` is available.
   */
  helpers: string;
  /** WGSL statements defining `numTiles`, uniform (barriers sit in the loop), and whatever ttTile reads. */
  kRange: string;
  /** WGSL expression of the flat output index of C[m, n] (in scope: m, n, and whatever kRange defined). */
  outIndex: string;
  /**
   * Compute in halves (compute-precision.ts): the tiles are staged in workgroup memory as `TTHalf`,
   * each K tile's products are summed in `TTHalf`, and those tile sums are added up in f32. Null or
   * absent: all f32, the default.
   */
  half?: HalfType | null;
}

export function gemmUserCode(s: GemmSource): string {
  const { tileM: TM, tileN: TN, tileK: TK, threadM: RM, threadN: RN } = s.tiles;
  const [WGX, WGY] = gemmWorkgroupSize(s.tiles);
  const WG = WGX * WGY;
  const aCount = TM * TK;
  const bCount = TK * TN;
  const rows = Array.from({ length: RM }, (_, r) => r);
  const cols = Array.from({ length: RN }, (_, c) => c);

  // Workgroup memory holds each tile k-major (row kk is tileM or tileN words). A tile loaded along k
  // has neighbouring threads writing neighbouring kk, a whole row apart: one padding word per row
  // spreads those writes over the memory banks of a GPU.
  const strideA = TM + (s.aAlongK ? 1 : 0);
  const strideB = TN + (s.bAlongK ? 1 : 0);
  const slots = (count: number, along: boolean, outer: number, stride: number, name: 'a' | 'b') => {
    const setup: string[] = [];
    const load: string[] = [];
    for (let j = 0; j * WG < count; j++) {
      const i = `${name}I${j}`;
      const guarded = (j + 1) * WG > count;
      // Along k: consecutive threads take consecutive k of one row; else consecutive rows of one k.
      const [kk, rr] = along ? [`${i} % ${TK}`, `${i} / ${TK}`] : [`${i} / ${outer}`, `${i} % ${outer}`];
      setup.push(`let ${i} = li + ${j * WG};`);
      setup.push(`let ${name}K${j} = ${kk};`);
      setup.push(`let ${name}R${j} = ${rr};`);
      if (name === 'a') setup.push(`let ${name}Row${j} = ttARow(m0 + aR${j});`);
      else setup.push(`let ${name}Col${j} = ttBCol(n0 + bR${j});`);
      const tile = name === 'a' ? 'ttTileA' : 'ttTileB';
      const value = name === 'a' ? `ttLoadA(aRow${j}, aK${j}, tile)` : `ttLoadB(bCol${j}, bK${j}, tile)`;
      const store = `${tile}[${name}K${j} * ${stride} + ${name}R${j}] = ${s.half ? `TTHalf(${value})` : value};`;
      load.push(guarded ? `if (${i} < ${count}) { ${store} }` : store);
    }
    return { setup: setup.join('\n        '), load: load.join('\n          ') };
  };
  const a = slots(aCount, s.aAlongK, TM, strideA, 'a');
  const b = slots(bCount, s.bAlongK, TN, strideB, 'b');

  const accDecl = rows.map((r) => cols.map((c) => `var acc${r}_${c} = 0.0;`).join(' ')).join('\n        ');
  const readA = rows.map((r) => `let a${r} = ttTileA[kk * ${strideA} + ty + ${r * WGY}];`).join('\n            ');
  const readB = cols.map((c) => `let b${c} = ttTileB[kk * ${strideB} + tx + ${c * WGX}];`).join('\n            ');
  // In halves, a K tile's tileK products go into a TTHalf sum (p), added to the f32 accumulator once
  // per tile: the error of a half sum stays that of tileK terms, however long K is.
  const sum = s.half ? 'p' : 'acc';
  const fmas = rows.map((r) => cols.map((c) => `${sum}${r}_${c} = fma(a${r}, b${c}, ${sum}${r}_${c});`).join(' ')).join('\n            ');
  const tileSums = s.half ? rows.map((r) => cols.map((c) => `var p${r}_${c} = TTHalf(0.0);`).join(' ')).join('\n          ') : '';
  const addTileSums = s.half ? rows.map((r) => cols.map((c) => `acc${r}_${c} = acc${r}_${c} + f32(p${r}_${c});`).join(' ')).join('\n          ') : '';
  const element = s.half ? 'TTHalf' : 'f32';
  const stores = rows
    .map((r) =>
      cols
        .map((c) => `{ let m = m0 + ty + ${r * WGY}; let n = n0 + tx + ${c * WGX}; if (m < uniforms.dimM && n < uniforms.dimN) { result[${s.outIndex}] = acc${r}_${c}; } }`)
        .join('\n        '),
    )
    .join('\n        ');

  return `
      ${s.half ? halfAliasWgsl(s.half) : ''}
      var<workgroup> ttTileA : array<${element}, ${TK * strideA}>;
      var<workgroup> ttTileB : array<${element}, ${TK * strideB}>;
      var<private> kStart : i32;
      var<private> kEnd : i32;

      // i / d for 0 ≤ i < 2^21 and d > 0 through f32 (x86 has no vector integer division, so on
      // SwiftShader an i32 division costs a scalar division per lane; a GPU spends ~20 instructions
      // on one). The estimate is off by at most one, and one correction step fixes it.
      fn ttDiv(i : i32, d : i32) -> i32 {
        let q = i32(f32(i) / f32(d));
        let r = i - q * d;
        return q + select(0, 1, r >= d) - select(0, 1, r < 0);
      }

      ${s.helpers}

      fn main() {
        let tx = i32(localId.x);
        let ty = i32(localId.y);
        let li = i32(localIndex);
        let m0 = i32(workgroupId.y) * ${TM};
        let n0 = i32(workgroupId.x) * ${TN};
        ${s.kRange}
        ${a.setup}
        ${b.setup}
        ${accDecl}
        for (var t = 0; t < numTiles; t = t + 1) {
          let tile = ttTile(t);
          ${a.load}
          ${b.load}
          workgroupBarrier();
          ${tileSums}
          for (var kk = 0; kk < ${TK}; kk = kk + 1) {
            ${readA}
            ${readB}
            ${fmas}
          }
          ${addTileSums}
          workgroupBarrier();
        }
        ${stores}
      }
  `;
}

/**
 * The program of a GEMM whose K runs tap by tap, each tap's channels in whole K tiles (the forward
 * convolution and the input gradient): a tile never straddles two taps, so its tap (and the part of
 * every address that depends on it) is worked out once. Its uniforms are `tapGemmUniforms`'; the
 * caller gives the gathering helpers and the names; the precision in force is part of the key.
 */
export function tapGemmProgram(p: { variableNames: [string, string]; outputShape: number[]; shaderKey: string; gemm: { m: number; n: number }; tiles: GemmTiles; bAlongK: boolean; helpers: string }): Program {
  const half = gemmHalfType();
  return {
    variableNames: p.variableNames,
    outputShape: p.outputShape,
    shaderKey: `${p.shaderKey}${gemmPrecisionKey()}`,
    dispatchLayout: { x: [3], y: [0, 1, 2] },
    dispatch: [Math.ceil(p.gemm.n / p.tiles.tileN), Math.ceil(p.gemm.m / p.tiles.tileM), 1],
    workgroupSize: gemmWorkgroupSize(p.tiles),
    size: false,
    uniforms: 'padTop : i32, padLeft : i32, strideH : i32, strideW : i32, dimM : i32, dimN : i32, channelTiles : i32, numTiles : i32,',
    getUserCode: () =>
      gemmUserCode({
        tiles: p.tiles,
        half,
        aAlongK: true,
        bAlongK: p.bAlongK,
        helpers: p.helpers,
        kRange: `
        let numTiles = uniforms.numTiles;`,
        outIndex: 'm * uniforms.dimN + n',
      }),
  };
}

/** The webgpu backend as the convolution kernels use it. */
export interface GemmBackend {
  runWebGPUProgram(program: object, inputs: tf.TensorInfo[], dtype: tf.DataType, uniforms?: { type: string; data: number[] }[]): tf.TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  device: GPUDevice;
}

/** WebGPU's guaranteed workgroups per dispatch dimension. */
export const MAX_GROUPS = 65535;

/** Whether every index of a GEMM of this size stays inside i32. */
export function fitsI32(...sizes: number[]): boolean {
  return sizes.every((s) => s < 2 ** 31 - 1);
}

/**
 * Whether ttDiv is exact for every index these sizes lead to: below 2^21 its f32 quotient (WGSL
 * allows 2.5 ulp for a division) is within one of the true one, which its correction step fixes.
 */
export function fitsDiv(...sizes: number[]): boolean {
  return sizes.every((s) => s < 2 ** 21);
}

/** Why a GEMM of this size cannot run on this body (null when it can): the dispatch grid, i32 indices, the f32 division. */
export function gemmLimit(tiles: GemmTiles, gemm: { m: number; n: number; k: number }, gatheredSize: number): string | null {
  if (tilesProblem(tiles)) return 'tiles';
  if (Math.ceil(gemm.n / tiles.tileN) > MAX_GROUPS || Math.ceil(gemm.m / tiles.tileM) > MAX_GROUPS) return 'dispatch';
  if (!fitsI32(gemm.m * gemm.n, gatheredSize, gemm.k * gemm.n) || !fitsDiv(gemm.m, gemm.k)) return 'size';
  return null;
}

/**
 * The uniforms of a GEMM whose K runs filter tap by filter tap in whole tiles of `channels` (the
 * forward convolution and the input gradient): pads, strides, M, N, tiles per tap, tiles in all.
 */
export function tapGemmUniforms(g: { pads: [number, number]; strides: [number, number]; filterShape: number[] }, m: number, n: number, channels: number, tileK: number): { type: string; data: number[] }[] {
  const channelTiles = Math.ceil(channels / tileK);
  const taps = g.filterShape[0] * g.filterShape[1];
  return [g.pads[0], g.pads[1], g.strides[0], g.strides[1], m, n, channelTiles, taps * channelTiles].map((v) => ({ type: 'int32', data: [v] }));
}
