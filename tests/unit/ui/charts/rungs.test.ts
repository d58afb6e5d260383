import { describe, expect, it } from 'vitest';
import { defaultJob, type JobDefinition } from '../../../../src/lib/config';
import { comparableTrials, epochsSpent, jobRungs, rungLabel } from '../../../../src/ui/charts/rungs';
import type { Trial } from '../../../../src/lib/job';

const hyperband: JobDefinition = { ...defaultJob(), strategy: 'hyperband', maxJobs: 4, parameters: { ...defaultJob().parameters, epochs: { type: 'integer', min: 1, max: 9 } } };

describe('rungs on the charts', () => {
  it("are a Hyperband job's budgets, none for other strategies", () => {
    expect(jobRungs(hyperband)).toEqual([1, 3, 9]);
    expect(jobRungs({ ...hyperband, strategy: 'bayesian' })).toEqual([]);
    expect(jobRungs({ ...hyperband, parameters: {} })).toEqual([]);
    expect(rungLabel(0, [1, 3, 9])).toBe('rung 1 (1 epoch)');
    expect(rungLabel(2, [1, 3, 9])).toBe('rung 3 (9 epochs)');
  });

  it('count the epochs spent against max jobs full runs', () => {
    const run = (epochs: number, status: Trial['status'] = 'completed') => ({ status, params: { epochs }, epochs: Array.from({ length: epochs }, (_, i) => ({ epoch: i + 1, trainLoss: 1, valAccuracy: 0.5, imagesPerSecond: 1 })) });
    const trials = [run(1), run(1), run(3), run(9), run(9, 'failed')];
    expect(epochsSpent(hyperband, trials)).toEqual({ spent: 23, fullSearch: 36, fullRuns: 1 });
    expect(epochsSpent({ ...hyperband, strategy: 'random' }, trials)).toBeUndefined();
    // A full-budget re-run or added trial trains epochs but is not one of max jobs' full runs.
    const extras = [...trials, { ...run(9), rerunOf: 4 }, { ...run(9), added: true as const }];
    expect(epochsSpent(hyperband, extras)).toEqual({ spent: 41, fullSearch: 36, fullRuns: 1 });
  });
});

describe('comparable trials', () => {
  it('under Hyperband are the full-budget runs once one has completed', () => {
    const t = (epochs: number, status: Trial['status']) => ({ status, params: { epochs } });
    const trials = [t(1, 'completed'), t(3, 'completed'), t(9, 'running')];
    expect(comparableTrials(hyperband, trials)).toEqual(trials);
    const done = [...trials.slice(0, 2), t(9, 'completed'), t(9, 'failed')];
    expect(comparableTrials(hyperband, done)).toEqual([t(9, 'completed'), t(9, 'failed')]);
    expect(comparableTrials({ ...hyperband, strategy: 'bayesian' }, done)).toEqual(done);
  });
});
