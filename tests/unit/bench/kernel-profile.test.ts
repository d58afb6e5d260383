import { describe, expect, it } from 'vitest';
import { durationsFromCompletions, formatRanking, programName, rankKernels } from '../../../bench/train/kernel-profile';

describe('kernel profile ranking', () => {
  it('groups by name, ranks by total time and gives each its share', () => {
    const ranking = rankKernels([
      { name: 'Conv2D', ms: 3 }, { name: 'Relu', ms: 1 }, { name: 'Conv2D', ms: 4 }, { name: 'Conv2DBackpropFilter', ms: 2 },
    ]);
    expect(ranking).toEqual([
      { name: 'Conv2D', count: 2, totalMs: 7, percent: 70 },
      { name: 'Conv2DBackpropFilter', count: 1, totalMs: 2, percent: 20 },
      { name: 'Relu', count: 1, totalMs: 1, percent: 10 },
    ]);
    expect(formatRanking(ranking, 2).split('\n')).toHaveLength(3);
  });

  it('gives 0 % rather than NaN when every time is 0', () => {
    expect(rankKernels([{ name: 'Add', ms: 0 }])).toEqual([{ name: 'Add', count: 1, totalMs: 0, percent: 0 }]);
  });

  it('turns queue completion times into per-dispatch durations', () => {
    expect(durationsFromCompletions(100, [103, 110, 110, 111])).toEqual([3, 7, 0, 1]);
  });

  it("names tfjs programs by class and the engine's own by their shader key without tiles", () => {
    class BinaryOpProgram {}
    expect(programName(new BinaryOpProgram())).toBe('BinaryOpProgram');
    expect(programName({ shaderKey: 'tabtune_conv_filter_grad_64x32x8_8x4_split' })).toBe('conv_filter_grad');
    expect(programName({ shaderKey: 'tabtune_bn_normalize_gelu_4' })).toBe('bn_normalize_gelu');
    expect(programName({ pipeline: { label: 'tabtune_update_sgd_nesterov_4_ffff_ii' } })).toBe('sgd_nesterov');
    expect(programName({ pipeline: { label: 'tabtune_update_bn_stats_merge_running_fff_if' } })).toBe('bn_stats_merge_running');
    expect(programName({})).toBe('Object');
  });
});
