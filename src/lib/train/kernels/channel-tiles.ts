import type { Program, Uniform } from './program';

/**
 * How the per-channel reductions of BatchNorm walk an NHWC tensor viewed as [rows, C] (rows =
 * N·H·W) without transposing it: a workgroup of 64 threads covers `lanes` adjacent channels (so a
 * row's channels are read together, coalesced) and `rowLanes` = 64 / lanes rows at a time, over one
 * tile of `rowsPerTile` consecutive rows. Each workgroup writes one partial per channel of its tile;
 * a second pass merges the `tiles` partials of a channel.
 */
export interface ChannelTiles {
  rows: number;
  channels: number;
  /** Channels per workgroup: a power of two, at most 64. */
  lanes: number;
  rowLanes: number;
  rowsPerTile: number;
  tiles: number;
  /** Workgroups across the channels. */
  channelGroups: number;
}

export const REDUCE_WORKGROUP = 64;
/** Enough tiles to keep a GPU's cores busy at small batches; few enough that the merge pass stays short. */
const MAX_TILES = 512;
/** Rows one thread reads at the least: fewer would spend more on the tree than on the sums. */
const MIN_ROWS_PER_THREAD = 8;

export function channelTiles(rows: number, channels: number): ChannelTiles {
  let lanes = 1;
  while (lanes < channels && lanes < REDUCE_WORKGROUP) lanes *= 2;
  const rowLanes = REDUCE_WORKGROUP / lanes;
  const rowsPerTile = Math.max(rowLanes * MIN_ROWS_PER_THREAD, Math.ceil(rows / MAX_TILES));
  return { rows, channels, lanes, rowLanes, rowsPerTile, tiles: Math.ceil(rows / rowsPerTile), channelGroups: Math.ceil(channels / lanes) };
}

/**
 * WGSL that sums `names` (workgroup arrays of REDUCE_WORKGROUP floats, indexed by local index)
 * over the row lanes of each channel lane: afterwards index `lane` for rowLane 0 holds the total.
 * The loop bound is baked in, so every barrier sits in uniform control flow.
 */
export function rowLaneTreeSum(tiles: ChannelTiles, names: string[], lane: string, rowLane: string): string {
  if (tiles.rowLanes === 1) return '';
  return `
    for (var stride = ${tiles.rowLanes / 2}; stride > 0; stride = stride / 2) {
      if (${rowLane} < stride) {
        ${names.map((n) => `${n}[${lane}] = ${n}[${lane}] + ${n}[${lane} + stride * ${tiles.lanes}];`).join('\n        ')}
      }
      workgroupBarrier();
    }`;
}

/** The uniforms every tiled pass takes (TILE_UNIFORMS, in that order). */
export function tileUniforms(t: ChannelTiles): Uniform[] {
  return [
    { type: 'int32', data: [t.rows] },
    { type: 'int32', data: [t.channels] },
    { type: 'int32', data: [t.rowsPerTile] },
    { type: 'int32', data: [t.tiles] },
  ];
}

export const TILE_UNIFORMS = 'rows : i32, channels : i32, rowsPerTile : i32, tiles : i32,';

/** A partial pass's dispatch: one workgroup per tile of rows and group of `lanes` channels. */
export function tileDispatch(t: ChannelTiles): Pick<Program, 'dispatchLayout' | 'dispatch' | 'workgroupSize' | 'size'> {
  return { dispatchLayout: { x: [0] }, dispatch: [t.tiles, t.channelGroups, 1], workgroupSize: [REDUCE_WORKGROUP, 1, 1], size: false };
}

/** WGSL: where a partial pass's thread is: `lane` (its local index), `rowLane`, its channel `c`, and its tile's rows [first, last). */
export function tileRowsWgsl(t: ChannelTiles): string {
  return `
        let lane = i32(localIndex);
        let rowLane = lane / ${t.lanes};
        let c = i32(workgroupId.y) * ${t.lanes} + lane % ${t.lanes};
        let first = i32(workgroupId.x) * uniforms.rowsPerTile;
        let last = min(first + uniforms.rowsPerTile, uniforms.rows);`;
}

/**
 * WGSL that sums the workgroup array `name` (REDUCE_WORKGROUP entries, one per `lane`) into entry 0,
 * for the passes that merge the tiles' partials with one workgroup per channel.
 */
export function workgroupSumWgsl(name: string): string {
  return `
      workgroupBarrier();
      for (var stride = ${REDUCE_WORKGROUP / 2}; stride > 0; stride = stride / 2) {
        if (lane < stride) {
          ${name}[lane] = ${name}[lane] + ${name}[lane + stride];
        }
        workgroupBarrier();
      }`;
}
