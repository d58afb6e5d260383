import { describe, expect, it } from 'vitest';
import { validateJob } from '../../../src/lib/config';
import { createStrategy, STRATEGIES } from '../../../src/lib/tuner';

describe('the list of strategies', () => {
  it('names only strategies that can be created and asked', () => {
    for (const name of STRATEGIES) {
      const strategy = createStrategy(name, { space: { x: { type: 'continuous', min: 0, max: 1 } }, goal: 'minimize', seed: 1 });
      expect(strategy.ask(1)).toHaveLength(1);
    }
  });

  it('is what a job definition accepts', () => {
    for (const name of STRATEGIES) expect(validateJob({ strategy: name }).errors).toEqual([]);
    expect(validateJob({ strategy: 'tpe' }).errors).toEqual([{ path: 'strategy', message: `The strategy must be one of ${STRATEGIES.join(', ')}.` }]);
  });
});
