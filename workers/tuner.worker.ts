/// <reference lib="webworker" />
import { createStrategy, type Outcome, type Strategy, type StrategyName, type StrategyOptions } from '../src/lib/tuner';
import type { Params } from '../src/lib/space';
import { exposeToPage } from './expose';

/** Test hook for the page's recovery from a tuner that dies: `crash` throws out of the worker at the second ask. */
export type TunerFault = 'none' | 'crash';

let strategy: Strategy | undefined;
let fault: TunerFault = 'none';
let asks = 0;

function current(): Strategy {
  if (!strategy) throw new Error('The tuner has not been started.');
  return strategy;
}

/** The search strategy in its own thread, so a slow GP fit never blocks the page. */
const api = {
  start(name: StrategyName, options: StrategyOptions, testFault: TunerFault = 'none'): void {
    strategy = createStrategy(name, options);
    fault = testFault;
    asks = 0;
  },
  ask(count: number) {
    if (fault === 'crash' && ++asks === 2) {
      // Thrown outside the call, as a real bug in the worker would be; this ask never answers.
      setTimeout(() => {
        throw new Error('Injected tuner crash');
      });
      return new Promise<never>(() => {});
    }
    return current().ask(count);
  },
  tell: (id: string, outcome: Outcome) => current().tell(id, outcome),
  observe: (params: Params, value: number) => current().observe(params, value),
};

export type TunerWorkerApi = typeof api;
exposeToPage(api);
