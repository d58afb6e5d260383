import { describe, expect, it } from 'vitest';
import { trial } from './trials';
import { formatDuration, jobCountsText, remainingSeconds, sortTrials, trialImagesPerSecond, trialSeconds } from '../../../src/ui/state/trial-stats';


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
    // A trial the user added and a re-run are on top of max jobs: with them, 2 of 6 searched trials are done, 4 to go.
    const extras = [trial(4, { startedAt: 0, endedAt: 10_000, added: true }), trial(5, { startedAt: 0, endedAt: 10_000, rerunOf: 1 })];
    expect(remainingSeconds([...finished, ...extras], 6, 1, 20_000)).toBeCloseTo(4 * 10);
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(185)).toBe('3 min 5 s');
    expect(formatDuration(3720)).toBe('1 h 2 min');
  });

  it("counts the search's trials against max jobs, with added trials and re-runs on top, then each status", () => {
    const searched = [trial(1), trial(2), trial(3, { status: 'failed' }), trial(4)];
    expect(jobCountsText(searched, 4)).toBe('4 of 4 trials: 3 completed, 1 failed');
    const all = [...searched, trial(5, { added: true }), trial(6, { rerunOf: 2, status: 'running' })];
    expect(jobCountsText(all, 4)).toBe('4 of 4 trials + 1 added + 1 re-run: 4 completed, 1 failed, 1 running');
    expect(jobCountsText([...all, trial(7, { rerunOf: 1 }), trial(8, { added: true })], 5)).toBe('4 of 5 trials + 2 added + 2 re-runs: 6 completed, 1 failed, 1 running');
    // Under Hyperband max jobs counts full-budget runs; its trials follow, extras still apart.
    expect(jobCountsText(all, 2, 1)).toBe('1 of 2 full-budget runs; 4 trials + 1 added + 1 re-run: 4 completed, 1 failed, 1 running');
    // Full-budget runs under way when max jobs was reached still finish: more than max jobs, said so.
    expect(jobCountsText(searched, 2, 3)).toBe('3 full-budget runs (max jobs 2; 1 more was already running); 4 trials: 3 completed, 1 failed');
    expect(jobCountsText(searched, 1, 3)).toBe('3 full-budget runs (max jobs 1; 2 more were already running); 4 trials: 3 completed, 1 failed');
  });
});
