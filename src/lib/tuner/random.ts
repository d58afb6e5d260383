import { createRng } from '../rng';
import { paramsKey, sampleParams, type Params } from '../space';
import { assertParams } from '../space';
import { PendingTrials } from './pending';
import { ObservedConfigurations, type Recommendation } from './recommend';
import { orientation } from './surrogate';
import type { Outcome, Strategy, StrategyOptions, Suggestion } from './types';

const MAX_DRAWS_PER_TRIAL = 1000;

/** Uniform random search in each parameter's scale; never repeats a point it has seen. */
export class RandomStrategy implements Strategy {
  private readonly rng;
  private readonly seen = new Set<string>();
  private readonly pending = new PendingTrials<Params>();
  private readonly results: ObservedConfigurations;

  constructor(private readonly options: StrategyOptions) {
    this.rng = createRng(options.seed);
    this.results = new ObservedConfigurations(options.space, orientation(options.goal));
  }

  ask(count: number): Suggestion[] {
    const suggestions: Suggestion[] = [];
    for (let i = 0; i < count; i++) {
      const params = this.drawUnseen();
      if (!params) break;
      suggestions.push({ id: this.pending.issue(params), params });
    }
    return suggestions;
  }

  /** Taken like a suggestion: later asks never draw it (see `Strategy.register`). */
  register(params: Params): string {
    assertParams(this.options.space, params);
    this.seen.add(paramsKey(this.options.space, params));
    return this.pending.issue(params);
  }

  tell(id: string, outcome: Outcome): void {
    const params = this.pending.resolve(id);
    if ('value' in outcome) this.results.add(params, outcome.value, id);
  }

  observe(params: Params, value: number): void {
    assertParams(this.options.space, params);
    this.seen.add(paramsKey(this.options.space, params));
    this.results.add(params, value);
  }

  /** No model: the configuration with the best observed value (mean over its runs). */
  recommend(): Recommendation | null {
    return this.results.bestObserved();
  }

  private drawUnseen(): Params | null {
    // A small discrete space can run out; give up instead of looping forever.
    for (let draw = 0; draw < MAX_DRAWS_PER_TRIAL; draw++) {
      const params = sampleParams(this.options.space, this.rng);
      const key = paramsKey(this.options.space, params);
      if (!this.seen.has(key)) {
        this.seen.add(key);
        return params;
      }
    }
    return null;
  }
}
