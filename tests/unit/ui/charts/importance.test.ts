import { describe, expect, it } from 'vitest';
import { importanceBars, importanceBasis, importanceMethod, settledResults, wholePercents } from '../../../../src/ui/charts/importance';

describe('importance', () => {
  it('orders the bars by share and names the GP method', () => {
    const importance = {
      method: 'lengthscales' as const,
      results: 12,
      parameters: [
        { name: 'lr', lengthscale: 0.5, importance: 0.25 },
        { name: 'momentum', lengthscale: 1 / 6, importance: 0.75 },
      ],
    };
    expect(importanceBars(importance)).toEqual([
      { name: 'momentum', share: 0.75, percent: 75 },
      { name: 'lr', share: 0.25, percent: 25 },
    ]);
    expect(importanceMethod(importance)).toContain("GP's ARD lengthscales");
  });

  it('labels whole percents that add up to 100, the largest remainders rounded up', () => {
    // Rounded alone these read 53 %, 24 %, 24 %: 101 %.
    expect(wholePercents([0.527, 0.2365, 0.2365])).toEqual([53, 24, 23]);
    expect(wholePercents([1 / 3, 1 / 3, 1 / 3])).toEqual([34, 33, 33]);
    expect(wholePercents([0.996, 0.002, 0.002])).toEqual([100, 0, 0]);
    expect(wholePercents([0, 0])).toEqual([0, 0]);
    for (const shares of [[0.1234, 0.5555, 0.3211], [0.2, 0.2, 0.2, 0.2, 0.2], [0.015, 0.985]]) {
      expect(wholePercents(shares).reduce((a, b) => a + b, 0)).toBe(100);
    }
  });

  it("under Hyperband says the ranking is at the full budget and why the budget has none", () => {
    const parameters = [{ name: 'lr', lengthscale: 0.5, importance: 1 }];
    const gp = importanceMethod({ method: 'lengthscales', parameters, results: 30, fullBudget: 27 });
    expect(gp).toContain("Hyperband's GP of configuration and epochs, its model at the full budget (27 epochs)");
    expect(gp).toContain('The budget (epochs) is not ranked');
    const anova = importanceMethod({ method: 'variance', parameters: [{ name: 'lr', varianceExplained: 0.3, importance: 1 }], results: 4, fullBudget: 1 });
    expect(anova).toContain('among the runs at the full budget (1 epoch;');
    expect(anova).toContain('The budget (epochs) is not ranked');
    expect(importanceMethod({ method: 'lengthscales', parameters, results: 30 })).not.toContain('budget');
  });

  it('says how many results the ranking rests on, and that it is tentative below 5 per hyperparameter (10 at least)', () => {
    expect(importanceBasis(2, 3)).toEqual({ tentative: true, note: 'Based on 2 results: tentative, drawn lighter; with 3 hyperparameters, rankings settle after about 15.' });
    expect(importanceBasis(1, 1).note).toBe('Based on 1 result: tentative, drawn lighter; with 1 hyperparameter, rankings settle after about 10.');
    expect(settledResults(2)).toBe(10);
    expect(settledResults(7)).toBe(35);
    expect(importanceBasis(34, 7).tentative).toBe(true);
    expect(importanceBasis(35, 7)).toEqual({ tentative: false, note: 'Based on 35 results.' });
    expect(importanceBasis(9, 2).tentative).toBe(true);
    expect(importanceBasis(10, 2).tentative).toBe(false);
    expect(importanceBasis(250, 7).tentative).toBe(false);
  });

  it('names the model-free method for random and grid search', () => {
    const importance = { method: 'variance' as const, parameters: [{ name: 'lr', varianceExplained: 0.3, importance: 1 }], results: 5 };
    expect(importanceMethod(importance)).toContain("share of the objective's variance each hyperparameter explains alone");
  });
});
