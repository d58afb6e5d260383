import { describe, expect, it } from 'vitest';
import { trial } from './trials';
import { formatDuration, remainingSeconds, sortTrials, trialImagesPerSecond, trialSeconds } from '../../../src/ui/state/trial-stats';


describe('trial statistics', () => {
  it('measures duration to the end or to now, and reads the last images/s', () => {
    expect(trialSeconds(trial(1, { startedAt: 1000, endedAt: 4000 }), 9000)).toBe(3);
    expect(trialSeconds(trial(1, { status: 'running', startedAt: 1000 }), 9000)).toBe(8);
    expect(trialSeconds(trial(1, { status: 'pending' }), 9000)).toBeUndefined();
    const epochs = [{ epoch: 1, trainLoss: 2, valAccuracy: 0.2, imagesPerSecond: 100 }, { epoch: 2, trainLoss: 1, valAccuracy: 0.3, imagesPerSecond: 120 }];
    expect(trialImagesPerSecond(trial(1, { epochs }))).toBe(120);
  });

  it('sorts by any column, missing values last, ties in trial order', () => {
    const trials = [trial(1, { objective: 0.5, params: { lr: 0.1, opt: 'sgd' } }), trial(2, { status: 'running', params: { lr: 0.01, opt: 'nag' } }), trial(3, { objective: 0.8, params: { lr: 0.1, opt: 'nag' } })];
    const numbers = (key: Parameters<typeof sortTrials>[1], descending: boolean) => sortTrials(trials, key, descending, 0).map((t) => t.number);
    expect(numbers('objective', true)).toEqual([3, 1, 2]);
    expect(numbers('objective', false)).toEqual([1, 3, 2]);
    expect(numbers('param:lr', false)).toEqual([2, 1, 3]);
    expect(numbers('param:opt', false)).toEqual([2, 3, 1]);
    expect(numbers('status', false)).toEqual([2, 1, 3]);
  });

  it('estimates the time left from finished trials and the running ones progress', () => {
    const finished = [trial(1, { startedAt: 0, endedAt: 10_000 }), trial(2, { startedAt: 0, endedAt: 10_000 })];
    const running = trial(3, { status: 'running', startedAt: 10_000, progress: { epoch: 1, step: 5, totalSteps: 10, stepsPerEpoch: 10 } });
    // 3 of 6 started: the running one has 5 s left (half done after 5 s), 3 more take 10 s each, over 2 workers.
    expect(remainingSeconds([...finished, running], 6, 2, 15_000)).toBeCloseTo((5 + 3 * 10) / 2);
    expect(remainingSeconds([trial(1, { status: 'running', startedAt: 0 })], 4, 2, 5000)).toBeUndefined();
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(185)).toBe('3 min 5 s');
    expect(formatDuration(3720)).toBe('1 h 2 min');
  });
});
