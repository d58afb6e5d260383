import { describe, expect, it } from 'vitest';
import { bestSoFarByTrials } from '../../../../src/ui/charts/compare';
import { trial } from '../trials';

describe('bestSoFarByTrials', () => {
  it('steps the best objective along the finished trials, in the order they ended', () => {
    const trials = [
      trial(1, { objective: 0.3, endedAt: 30 }),
      trial(2, { status: 'failed', endedAt: 10 }),
      trial(3, { objective: 0.5, endedAt: 20 }),
      trial(4, { objective: 0.4, endedAt: 40 }),
      trial(5, { status: 'running', objective: 0.9 }),
    ];
    expect(bestSoFarByTrials(trials, 'maximize')).toEqual([
      { finished: 2, best: 0.5 },
      { finished: 3, best: 0.5 },
      { finished: 4, best: 0.5 },
    ]);
    expect(bestSoFarByTrials(trials, 'minimize').map((p) => p.best)).toEqual([0.5, 0.3, 0.3]);
  });
});
