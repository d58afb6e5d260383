/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import { createStrategy, type Outcome, type Strategy, type StrategyName, type StrategyOptions } from '../src/lib/tuner';
import type { Params } from '../src/lib/space';

let strategy: Strategy | undefined;

function current(): Strategy {
  if (!strategy) throw new Error('The tuner has not been started.');
  return strategy;
}

/** The search strategy in its own thread, so a slow GP fit never blocks the page. */
const api = {
  start(name: StrategyName, options: StrategyOptions): void {
    strategy = createStrategy(name, options);
  },
  ask: (count: number) => current().ask(count),
  tell: (id: string, outcome: Outcome) => current().tell(id, outcome),
  observe: (params: Params, value: number) => current().observe(params, value),
};

export type TunerWorkerApi = typeof api;
Comlink.expose(api);
