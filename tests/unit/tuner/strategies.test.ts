import { describe, expect, it } from 'vitest';
import { defaultJob, validateJob } from '../../../src/lib/config';
import type { SearchSpace } from '../../../src/lib/space';
import { createStrategy, STRATEGIES } from '../../../src/lib/tuner';

describe('the list of strategies', () => {
  // Hyperband's budget is the epochs range, so its space searches epochs.
  const spaceFor = (name: string): SearchSpace =>
    name === 'hyperband' ? { x: { type: 'continuous', min: 0, max: 1 }, epochs: { type: 'integer', min: 1, max: 9 } } : { x: { type: 'continuous', min: 0, max: 1 } };

  it('names only strategies that can be created and asked', () => {
    for (const name of STRATEGIES) {
      const strategy = createStrategy(name, { space: spaceFor(name), goal: 'minimize', seed: 1 });
      expect(strategy.ask(1)).toHaveLength(1);
    }
  });

  it('is what a job definition accepts', () => {
    for (const name of STRATEGIES) {
      const job = defaultJob();
      const parameters = name === 'hyperband' ? { ...job.parameters, epochs: spaceFor(name).epochs } : job.parameters;
      const { epochs: _, ...fixed } = job.fixed;
      expect(validateJob({ ...job, strategy: name, parameters, fixed }).errors).toEqual([]);
    }
    expect(validateJob({ strategy: 'tpe' }).errors).toEqual([{ path: 'strategy', message: `The strategy must be one of ${STRATEGIES.join(', ')}.` }]);
  });
});
