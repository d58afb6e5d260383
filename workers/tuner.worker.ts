/// <reference lib="webworker" />
import {
  BeliefService,
  createStrategy,
  strategyBelief,
  type Importance,
  type Outcome,
  type Recommendation,
  type SlicePoint,
  type Strategy,
  type StrategyName,
  type StrategyOptions,
} from '../src/lib/tuner';
import type { Params } from '../src/lib/space';
import { exposeToPage } from './expose';

/** Test hook for the page's recovery from a tuner that dies: `crash` throws out of the worker at the second ask. */
export type TunerFault = 'none' | 'crash';

let strategy: Strategy | undefined;
/** The display model beside the strategy; it outlives the job, to answer the page's slices. */
let beliefs: BeliefService | undefined;
let fault: TunerFault = 'none';
let strategyName: StrategyName | undefined;
let asks = 0;

function current(): { strategy: Strategy; beliefs: BeliefService } {
  if (!strategy || !beliefs) throw new Error('The tuner has not been started.');
  return { strategy, beliefs };
}

/** The search strategy in its own thread, so a slow GP fit never blocks the page. */
const api = {
  start(name: StrategyName, options: StrategyOptions, testFault: TunerFault = 'none'): void {
    strategy = createStrategy(name, options);
    strategyName = name;
    beliefs?.dispose();
    beliefs = new BeliefService({ space: options.space, goal: options.goal, seed: options.seed, strategy: name, source: strategyBelief(strategy) });
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
    const tuner = current();
    const suggestions = tuner.strategy.ask(count);
    tuner.beliefs.noteAsked(suggestions);
    return suggestions;
  },
  /** A point the page runs again (see `Strategy.register`); the belief learns its result like an asked trial's. */
  register(params: Params): string {
    const tuner = current();
    const id = tuner.strategy.register(params);
    tuner.beliefs.noteAsked([{ id, params }]);
    return id;
  },
  tell(id: string, outcome: Outcome): void {
    const tuner = current();
    // The strategy first: it refuses an unknown id, and the belief follows only what it accepted.
    tuner.strategy.tell(id, outcome);
    tuner.beliefs.told(id, outcome);
  },
  observe(params: Params, value: number): void {
    const tuner = current();
    tuner.strategy.observe(params, value);
    tuner.beliefs.observed(params, value);
  },
  /** Many observations in one message (a shown job's trials): the display model is fitted once for them all, not after each. */
  observeAll(points: readonly { params: Params; value: number }[]): void {
    for (const { params, value } of points) api.observe(params, value);
  },
  /**
   * The GP's belief along one hyperparameter, the others held at `at` (the page passes the best
   * trial's params), from the last display fit: never refits. Null with fewer than 2 completed
   * trials or for random and grid search (no GP). Under Hyperband, the joint GP at the full
   * budget (`FullBudgetBelief`). See `BeliefService.slice`.
   */
  slice: (name: string, at: Params, points?: number): Promise<SlicePoint[] | null> => current().beliefs.slice(name, at, points),
  /** Which hyperparameters matter, and by which method; null with fewer than 2 completed trials. */
  importance: (): Importance | null => current().beliefs.importance(),
  /**
   * The recommended configuration from the last display fit (best observed without a GP); null
   * before any result. Hyperband answers itself (`HyperbandStrategy.recommend`, from a fit of
   * its own beside the search's, the one its slices and importance show).
   */
  recommend: (): Promise<Recommendation | null> => (strategyName === 'hyperband' ? Promise.resolve(current().strategy.recommend()) : current().beliefs.recommend()),
};

export type TunerWorkerApi = typeof api;
exposeToPage(api);
