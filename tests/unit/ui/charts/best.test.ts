import { describe, expect, it } from 'vitest';
import type { SearchSpace } from '../../../../src/lib/space';
import { configurationRuns, repeatedConfigurations } from '../../../../src/ui/charts/best';
import { trial } from '../trials';

const space: SearchSpace = { lr: { type: 'continuous', min: 0.001, max: 1, scale: 'log' }, opt: { type: 'categorical', values: ['sgd', 'adam'] } };

describe('configurationRuns', () => {
  it('gathers the completed runs of one configuration, re-runs included, with their mean', () => {
    const a = { lr: 0.01, opt: 'sgd' };
    const trials = [
      trial(3, { params: { ...a }, objective: 0.6, rerunOf: 1 }),
      trial(1, { params: { ...a }, objective: 0.8 }),
      trial(2, { params: { lr: 0.02, opt: 'sgd' }, objective: 0.9 }),
      trial(4, { params: { ...a }, objective: 0.1, status: 'stopped' }),
      trial(5, { params: { ...a }, status: 'running' }),
      trial(6, { params: { ...a, opt: 'adam' }, objective: 0.5 }),
    ];
    const runs = configurationRuns(trials, space, a)!;
    expect(runs.trials.map((t) => t.number)).toEqual([1, 3]);
    expect(runs.mean).toBeCloseTo(0.7, 12);
    expect(configurationRuns(trials, space, { lr: 0.5, opt: 'sgd' })).toBeUndefined();
  });

  it('maps each run of a repeated configuration to its group, and leaves single runs out', () => {
    const a = { lr: 0.01, opt: 'sgd' };
    const trials = [
      trial(1, { params: { ...a }, objective: 0.8 }),
      trial(2, { params: { lr: 0.02, opt: 'sgd' }, objective: 0.9 }),
      trial(3, { params: { ...a }, objective: 0.6, rerunOf: 1 }),
      trial(4, { params: { lr: 0.02, opt: 'sgd' }, status: 'failed' }),
    ];
    const groups = repeatedConfigurations(trials, space);
    expect([...groups.keys()].sort()).toEqual([1, 3]);
    expect(groups.get(3)!.mean).toBeCloseTo(0.7, 12);
    expect(groups.get(1)).toBe(groups.get(3));
  });
});
