import { createRng } from '../rng';
import { paramsKey, sampleParams, type Params } from '../space';
import { assertParams } from '../space';
import { PendingTrials } from './pending';
import type { Outcome, Strategy, StrategyOptions, Suggestion } from './types';

const MAX_DRAWS_PER_TRIAL = 1000;

/** Uniform random search in each parameter's scale; never repeats a point it has seen. */
export class RandomStrategy implements Strategy {
  private readonly rng;
  private readonly seen = new Set<string>();
  private readonly pending = new PendingTrials<Params>();

  constructor(private readonly options: StrategyOptions) {
    this.rng = createRng(options.seed);
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

  tell(id: string, _outcome: Outcome): void {
    this.pending.resolve(id);
  }

  observe(params: Params): void {
    assertParams(this.options.space, params);
    this.seen.add(paramsKey(this.options.space, params));
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
