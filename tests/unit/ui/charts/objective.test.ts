import { describe, expect, it } from 'vitest';
import { categoryStats, jitter } from '../../../../src/ui/charts/categories';
import { axisParameter, beliefNote, drawsModel, parameterPoints, shortRun, sliceCurve, sliceExtent, slicePoints } from '../../../../src/ui/charts/objective';
import { trial } from '../trials';

describe('categoryStats', () => {
  it('gives each category its mean and ±1 standard error (sample sd / √n)', () => {
    const points = [
      { value: 'sgd', objective: 1 },
      { value: 'sgd', objective: 3 },
      { value: 'nag', objective: 5 },
    ];
    expect(categoryStats(points, ['sgd', 'nag', 'adam'])).toEqual([
      { value: 'sgd', count: 2, mean: 2, standardError: 1 }, // sd √2, / √2
      { value: 'nag', count: 1, mean: 5 },
      { value: 'adam', count: 0 },
    ]);
  });

  it('matches numeric categories exactly', () => {
    expect(categoryStats([{ value: 16, objective: 0.5 }], [16, 32]).map((s) => s.count)).toEqual([1, 0]);
  });
});

describe('jitter', () => {
  it('is fixed per trial, within half a step, and spreads neighbours apart', () => {
    const offsets = [1, 2, 3, 4, 5, 6, 7, 8].map(jitter);
    expect(offsets.every((o) => o >= -0.5 && o < 0.5)).toBe(true);
    expect(jitter(3)).toBe(jitter(3));
    expect(new Set(offsets.map((o) => Math.round(o * 10))).size).toBeGreaterThan(5);
  });
});

describe('objective vs parameter', () => {
  it('plots finished trials with an objective at their parameter value', () => {
    const trials = [
      trial(1, { params: { lr: 0.01 }, endedAt: 1, objective: 0.5 }),
      trial(2, { params: { lr: 0.1 }, status: 'running', objective: 0.6 }),
      trial(3, { params: { lr: 0.2 }, endedAt: 2, status: 'failed' }),
    ];
    expect(parameterPoints(trials, 'lr').map((p) => [p.trial.number, p.value, p.objective])).toEqual([[1, 0.01, 0.5]]);
  });

  it('draws an integer parameter’s belief at whole numbers only, as steps', () => {
    const param = { type: 'integer' as const, min: 1, max: 3 };
    const slice = [1, 1.5, 2, 3].map((value) => ({ value, mean: value, lower: value - 1, upper: value + 1 }));
    expect(slicePoints(param, slice).map((p) => p.value)).toEqual([1, 2, 3]);
    expect(sliceCurve(param)).toBe('step');
    expect(sliceCurve({ type: 'continuous', min: 0, max: 1 })).toBe('linear');
  });

  it('keeps a wide or infinite band from squashing the points', () => {
    const slice = [{ value: 0, mean: 0.5, lower: -Infinity, upper: 100 }];
    const extent = sliceExtent([0.4, 0.6], slice);
    expect(Math.min(...extent)).toBeCloseTo(0.2);
    expect(Math.max(...extent)).toBeCloseTo(0.8);
  });

  it('says what the band is, or why there is none', () => {
    expect(beliefNote('lr', 'bayesian', 3, true)).toContain("the other hyperparameters at trial 3's values");
    expect(beliefNote('lr', 'bayesian', undefined, false)).toContain('once 2 trials have completed');
    expect(beliefNote('lr', 'random', 3, false)).toBe('No model is fitted for random search: the points are the trials.');
    // An ended job short of 2 results will never show the belief: no promise that it will.
    expect(beliefNote('lr', 'bayesian', undefined, false, { ended: true })).toBe('No GP was fitted: the job ended with fewer than 2 completed trials.');
    expect(beliefNote('lr', 'bayesian', 3, true, { ended: true })).toContain('Line and band');
    // A shown job's tuner still being told its trials: the belief is coming, whatever the job's status.
    expect(beliefNote('lr', 'bayesian', undefined, false, { ended: true, fitting: true })).toBe('Fitting the GP to these trials…');
    expect(beliefNote('lr', 'random', undefined, false, { ended: true, fitting: true })).toContain('No model is fitted for random search');
    // A warm-started GP is fitted to points the chart does not draw: the note says so, and only then.
    expect(beliefNote('lr', 'bayesian', 3, true, { warmStarted: 2 })).toMatch(/ It is also fitted to the 2 warm-start trials of earlier jobs, which are not drawn\.$/);
    expect(beliefNote('lr', 'bayesian', 3, true, { warmStarted: 1 })).toContain('the 1 warm-start trial of earlier jobs');
    expect(beliefNote('lr', 'bayesian', 3, true, { warmStarted: 0 })).not.toContain('warm-start');
    expect(beliefNote('lr', 'bayesian', undefined, false, { warmStarted: 2 })).not.toContain('warm-start');
  });

  it('under Hyperband says the line is the model at the full budget while the points are every rung', () => {
    expect(drawsModel('hyperband')).toBe(true);
    expect(drawsModel('grid')).toBe(false);
    const note = beliefNote('lr', 'hyperband', 4, true, { rungs: [1, 3, 9, 27] });
    expect(note).toContain("Hyperband's GP of configuration and epochs at the full budget (27 epochs)");
    expect(note).toContain("along lr, the other hyperparameters at trial 4's values");
    expect(note).toContain("the trials at every rung's epochs, the shorter runs faint");
    // Along the budget itself the line is the model of one configuration at each budget.
    const budget = beliefNote('epochs', 'hyperband', 4, true, { rungs: [1, 3, 9, 27] });
    expect(budget).toContain("along the budget for trial 4's configuration");
    expect(budget).not.toContain('faint');
    expect(beliefNote('lr', 'hyperband', undefined, false)).toContain('once 2 trials have completed');
    expect(beliefNote('lr', 'hyperband', undefined, false, { ended: true, rungs: [1, 3, 9, 27] })).toContain('No GP was fitted');
  });

  it("under Hyperband spans the epochs axis over the rungs, where the model's line is, and the note says why", () => {
    const epochs = { type: 'integer', min: 2, max: 30 } as const;
    const rungs = [3, 10, 30];
    expect(axisParameter('epochs', epochs, rungs, [3, 3, 10, 30])).toEqual({ type: 'integer', min: 3, max: 30, scale: 'linear' });
    // A trial the user added outside the rungs stays on the axis.
    expect(axisParameter('epochs', epochs, rungs, [2, 10, 30])).toMatchObject({ min: 2, max: 30 });
    // Another parameter, or a job that is not Hyperband, keeps the searched range.
    const lr = { type: 'continuous', min: 0.001, max: 1, scale: 'log' } as const;
    expect(axisParameter('lr', lr, rungs, [0.01])).toBe(lr);
    expect(axisParameter('epochs', epochs, [], [3])).toBe(epochs);
    // The searched range's scale is kept: 1–150 resolves to log (auto), its rungs 2–150 alone would not.
    const wide = { type: 'integer', min: 1, max: 150, scale: 'auto' } as const;
    expect(axisParameter('epochs', wide, [2, 6, 17, 50, 150], [])).toEqual({ type: 'integer', min: 2, max: 150, scale: 'log' });
    const note = beliefNote('epochs', 'hyperband', 4, true, { rungs });
    expect(note).toContain('from the lowest rung to the full budget (3–30 epochs: Hyperband trains at 3, 10 and 30 only, and the axis spans them)');
  });

  it('marks the runs shorter than the full budget, except on the epochs chart', () => {
    expect(shortRun({ params: { lr: 0.1, epochs: 9 } }, 'lr', 27)).toBe(true);
    expect(shortRun({ params: { lr: 0.1, epochs: 27 } }, 'lr', 27)).toBe(false);
    expect(shortRun({ params: { lr: 0.1, epochs: 9 } }, 'epochs', 27)).toBe(false);
    // Not Hyperband: no full budget, nothing short.
    expect(shortRun({ params: { lr: 0.1, epochs: 9 } }, 'lr', undefined)).toBe(false);
  });
});
