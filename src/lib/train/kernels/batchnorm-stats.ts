import * as tf from '@tensorflow/tfjs';
import { channelTiles, REDUCE_WORKGROUP, rowLaneTreeSum, TILE_UNIFORMS, tileDispatch, tileRowsWgsl, tileUniforms, type ChannelTiles } from './channel-tiles';
import { runProgram, type Program, type Uniform } from './program';
import { runUpdateProgram, type UpdateProgram } from './update-program';

/**
 * BatchNorm's batch statistics over N·H·W of an NHWC tensor in two dispatches and no transpose (the
 * second also updating the running statistics).
 * Pass 1: each tile of rows sums x − K and (x − K)² per channel, K being the tile's first value of
 * that channel (a shift inside the data keeps the sum of squares from cancelling when |mean| ≫ std),
 * and writes K, the tile's mean offset from K and its sum of squared deviations M2. Pass 2 merges
 * the tiles' (count, mean, M2) with Chan et al.'s pairwise update, the means taken relative to the
 * first tile's K: an f32 mean near 1000 is only good to 6e-5, but the difference of two shifts is
 * exact, so the between-tile term keeps its precision. The variance stays exact for a constant
 * channel (0) and accurate when it is tiny beside mean², as airbench's eps of 1e-12 needs.
 */


function partialProgram(t: ChannelTiles): Program {
  return {
    variableNames: ['X'],
    outputShape: [t.tiles, t.channels, 4],
    shaderKey: `tabtune_bn_stats_partial_${t.lanes}`,
    ...tileDispatch(t),
    uniforms: TILE_UNIFORMS,
    outputComponent: 4,
    variableComponents: [1],
    getUserCode: () => `
      var<workgroup> sumD : array<f32, ${REDUCE_WORKGROUP}>;
      var<workgroup> sumD2 : array<f32, ${REDUCE_WORKGROUP}>;
      fn main(index : i32) {
        ${tileRowsWgsl(t)}
        var shift = 0.0;
        var d1 = 0.0;
        var d2 = 0.0;
        if (c < uniforms.channels) {
          shift = X[first * uniforms.channels + c];
          for (var r = first + rowLane; r < last; r = r + ${t.rowLanes}) {
            let d = X[r * uniforms.channels + c] - shift;
            d1 = d1 + d;
            d2 = d2 + d * d;
          }
        }
        sumD[lane] = d1;
        sumD2[lane] = d2;
        workgroupBarrier();
        ${rowLaneTreeSum(t, ['sumD', 'sumD2'], 'lane', 'rowLane')}
        if (rowLane == 0 && c < uniforms.channels) {
          let n = f32(last - first);
          let s1 = sumD[lane];
          setOutputAtIndex(i32(workgroupId.x) * uniforms.channels + c, vec4<f32>(shift, s1 / n, max(sumD2[lane] - s1 * s1 / n, 0.0), 0.0));
        }
      }
    `,
  };
}

/** What a training pass does with the batch statistics besides normalizing: PyTorch's running averages. */
export interface RunningStats {
  mean: tf.Variable;
  variance: tf.Variable;
  /** Weight of the new batch: r·(1 − m) + s·m. */
  momentum: number;
}

function mergeProgram(t: ChannelTiles, running: boolean): UpdateProgram {
  return {
    shaderKey: `bn_stats_merge_${running ? 'running' : 'plain'}`,
    workgroupSize: REDUCE_WORKGROUP,
    dispatch: [t.channels, 1, 1],
    uniforms: `${TILE_UNIFORMS} keep : f32, momentum : f32, factor : f32,`,
    reads: [{ name: 'P', component: 4 }],
    updates: running
      ? [
          { name: 'M', component: 1 },
          { name: 'Var', component: 1 },
        ]
      : [],
    outputs: [{ name: 'Stats', component: 1, shape: [2, t.channels] }],
    declarations: `
      var<workgroup> part : array<vec3<f32>, ${REDUCE_WORKGROUP}>;
      // (count, mean, M2) of the union of two disjoint sets of rows.
      fn chan(a : vec3<f32>, b : vec3<f32>) -> vec3<f32> {
        let n = a.x + b.x;
        if (b.x == 0.0) { return a; }
        if (a.x == 0.0) { return b; }
        let delta = b.y - a.y;
        let wb = b.x / n;
        return vec3<f32>(n, a.y + delta * wb, a.z + b.z + delta * delta * a.x * wb);
      }`,
    main: `
      let lane = i32(localIndex);
      let c = i32(workgroupId.x);
      let origin = P(c).x;
      var acc = vec3<f32>(0.0);
      for (var tile = lane; tile < uniforms.tiles; tile = tile + ${REDUCE_WORKGROUP}) {
        let p = P(tile * uniforms.channels + c);
        let n = f32(min(uniforms.rowsPerTile, uniforms.rows - tile * uniforms.rowsPerTile));
        acc = chan(acc, vec3<f32>(n, (p.x - origin) + p.y, p.z));
      }
      part[lane] = acc;
      workgroupBarrier();
      for (var stride = ${REDUCE_WORKGROUP / 2}; stride > 0; stride = stride / 2) {
        if (lane < stride) {
          part[lane] = chan(part[lane], part[lane + stride]);
        }
        workgroupBarrier();
      }
      if (lane == 0) {
        let total = part[0];
        let mean = origin + total.y;
        let variance = total.z / f32(uniforms.rows);
        Stats[c] = mean;
        Stats[uniforms.channels + c] = variance;
        ${
          running
            ? `M[c] = M_prev(c) * uniforms.keep + mean * uniforms.momentum;
        Var[c] = Var_prev(c) * uniforms.keep + (variance * uniforms.factor) * uniforms.momentum;`
            : ''
        }
      }`,
  };
}

/**
 * [2, C]: the batch mean (row 0) and biased variance (row 1) of each channel of an NHWC tensor.
 * With `running`, the same merge dispatch also moves the running statistics, with the arithmetic of
 * the stock path in layers.ts: r·(1 − m) + s·m, the variance made unbiased (× n/(n − 1)) first.
 */
export function batchStats(x: tf.Tensor4D, running?: RunningStats): tf.Tensor2D {
  const channels = x.shape[3];
  const t = channelTiles(x.size / channels, channels);
  const momentum = running?.momentum ?? 0;
  const uniforms: Uniform[] = [
    ...tileUniforms(t),
    { type: 'float32', data: [1 - momentum] },
    { type: 'float32', data: [momentum] },
    { type: 'float32', data: [t.rows > 1 ? t.rows / (t.rows - 1) : 1] },
  ];
  return tf.tidy(() => {
    const partial = runProgram(partialProgram(t), [x], tileUniforms(t));
    const targets = running ? [running.mean, running.variance] : [];
    const { outputs, updated } = runUpdateProgram(mergeProgram(t, running !== undefined), [partial], targets, uniforms);
    // A running buffer shared with a clone (EMA, lookahead, a saved copy) came back as a new tensor.
    updated.forEach((next, i) => {
      if (next) targets[i].assign(next);
    });
    return outputs[0] as tf.Tensor2D;
  });
}
