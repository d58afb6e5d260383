import { describe, expect, it } from 'vitest';
import { learningCurves } from '../../../../src/ui/charts/curves';
import { epochs, trial } from '../trials';

describe('learningCurves', () => {
  it('plots the objective metric per Epoch line when it has one value per line; a stopped trial ends where it stopped', () => {
    const trials = [
      trial(1, { epochs: epochs(0.1, 0.2, 0.3), metrics: { acc: [0.1, 0.2, 0.3] } }),
      trial(2, { epochs: epochs(0.15), metrics: { acc: [0.15] }, status: 'stopped', stoppedBy: 'rule' }),
      trial(3, { status: 'pending' }),
    ];
    const { source, series } = learningCurves(trials, 'acc');
    expect(source).toBe('objective');
    expect(series.map((s) => [s.trial.number, s.status, s.points])).toEqual([
      [1, 'completed', [{ epoch: 1, value: 0.1 }, { epoch: 2, value: 0.2 }, { epoch: 3, value: 0.3 }]],
      [2, 'stopped-rule', [{ epoch: 1, value: 0.15 }]],
    ]);
  });

  it('falls back to the Epoch lines’ validation accuracy for every trial when the metric is read elsewhere', () => {
    const trials = [
      trial(1, { epochs: epochs(0.1, 0.2), metrics: { loss: [0.9, 0.8] } }),
      trial(2, { epochs: epochs(0.3, 0.4), metrics: { loss: [0.7] } }),
    ];
    const { source, series } = learningCurves(trials, 'loss');
    expect(source).toBe('validation-accuracy');
    expect(series[0].points.map((p) => p.value)).toEqual([0.1, 0.2]);
  });
});
