import { describe, expect, it } from 'vitest';
import { importanceBars, importanceMethod } from '../../../../src/ui/charts/importance';

describe('importance', () => {
  it('orders the bars by share and names the GP method', () => {
    const importance = {
      method: 'lengthscales' as const,
      parameters: [
        { name: 'lr', lengthscale: 0.5, importance: 0.25 },
        { name: 'momentum', lengthscale: 1 / 6, importance: 0.75 },
      ],
    };
    expect(importanceBars(importance)).toEqual([
      { name: 'momentum', share: 0.75 },
      { name: 'lr', share: 0.25 },
    ]);
    expect(importanceMethod(importance)).toContain("GP's ARD lengthscales");
  });

  it('names the model-free method for random and grid search', () => {
    const importance = { method: 'variance' as const, parameters: [{ name: 'lr', varianceExplained: 0.3, importance: 1 }] };
    expect(importanceMethod(importance)).toContain("share of the objective's variance each hyperparameter explains alone");
  });
});
