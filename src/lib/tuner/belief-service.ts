import { createRng } from '../rng';
import { encodingLayout, type EncodingLayout, type Params } from '../space';
import { DEFAULT_SLICE_POINTS, fitBelief, sliceValues, type Belief, type BeliefObservation, type SlicePoint } from './belief';
import { importanceWithoutModel, type Importance } from './importance';
import { ObservedConfigurations, type Recommendation } from './recommend';
import { orientation, SurrogateFitter } from './surrogate';
import type { Outcome, StrategyName, StrategyOptions, Suggestion } from './types';

export interface BeliefServiceOptions extends Pick<StrategyOptions, 'space' | 'goal' | 'seed'> {
  /** The strategy of the job: `bayesian` has a GP fitted here to show; random and grid none. */
  strategy: StrategyName;
  /**
   * A model the strategy keeps and shows itself, used instead of a fit here (Hyperband's joint
   * GP at the full budget, `HyperbandStrategy.fullBudgetBelief`; `strategyBelief` picks it). It
   * is called where a fit would run, and must not change what the strategy suggests.
   */
  source?: () => Belief | null;
  /** Runs a task in a later macrotask (default `setTimeout(task, 0)`); tests pass their own. */
  defer?: (task: () => void) => void;
}

/** Callers waiting for one slice: more than one after coalescing. */
interface Waiting {
  resolve: (answer: SlicePoint[] | null) => void;
  reject: (error: unknown) => void;
}

type SliceTask = { kind: 'slice'; name: string; at: Params; points: number; waiting: Waiting[] };
type RecommendTask = { kind: 'recommend'; resolve: (answer: Recommendation | null) => void };
type Task = { kind: 'fit' } | SliceTask | RecommendTask;

/**
 * The tuner worker's display model, kept beside the strategy and apart from it: it follows the
 * same trials (asked, told, observed), fits its own belief (`fitBelief`) and answers the page's
 * slices from the last fit. It never touches the strategy or its random streams, so showing
 * the belief changes no suggestion, and nothing here needs a job to be running. With a
 * `source` (Hyperband) the belief is the strategy's own display model, taken where a fit
 * would run; the source promises the same.
 *
 * Work is queued and run one task per macrotask (`defer`), so a message that arrives meanwhile
 * (an `ask`) waits behind at most one fit or one slice:
 * - a fit is queued after each completed trial once there are 2 (failed trials do not count),
 *   and runs once for however many trials arrived before it started; with the `bayesian`
 *   strategy or a `source` only, as the others have no GP to show;
 * - a slice is answered from the last fit when its turn comes and never refits; a newer slice
 *   for the same parameter replaces a pending one, moves to the back of the queue, and both
 *   callers get the newer one's answer (for the newer `at` and `points`).
 */
export class BeliefService {
  private readonly observations: BeliefObservation[] = [];
  /** The same results by configuration (re-runs grouped), for `recommend`. */
  private readonly results: ObservedConfigurations;
  private readonly asked = new Map<string, Params>();
  /** Fits each belief warm from the previous one, as the strategy refits its own model. */
  private readonly fitter: SurrogateFitter | null;
  private readonly layout: EncodingLayout;
  private readonly defer: (task: () => void) => void;
  private readonly queue: Task[] = [];
  private belief: Belief | null = null;
  private scheduled = false;
  private disposed = false;
  private fitCount = 0;

  constructor(private readonly options: BeliefServiceOptions) {
    this.fitter = options.strategy === 'bayesian' ? new SurrogateFitter(createRng(options.seed)) : null;
    this.layout = encodingLayout(options.space);
    this.results = new ObservedConfigurations(options.space, orientation(options.goal));
    this.defer = options.defer ?? ((task) => setTimeout(task, 0));
  }

  /** Suggestions the strategy made, or points registered with it: their params are needed when their outcome is told. */
  noteAsked(suggestions: readonly Suggestion[]): void {
    for (const s of suggestions) this.asked.set(s.id, s.params);
  }

  /** The outcome of an asked trial, after the strategy accepted it. */
  told(id: string, outcome: Outcome): void {
    const params = this.asked.get(id);
    this.asked.delete(id);
    if (params && 'value' in outcome) this.add(params, outcome.value, id);
  }

  /** A warm-start observation, after the strategy accepted it. */
  observed(params: Params, value: number): void {
    this.add(params, value);
  }

  /** Whether there is a model to show: a fit here (`bayesian`) or the strategy's own (`source`). */
  private get modelled(): boolean {
    return this.fitter !== null || this.options.source !== undefined;
  }

  /** Completed trials seen so far. */
  get completed(): number {
    return this.observations.length;
  }

  /** Display fits run so far; a slice never adds one. */
  get fits(): number {
    return this.fitCount;
  }

  /**
   * The belief along `name` with the others held at `at` (see `Belief.slice`; under Hyperband
   * `FullBudgetBelief.slice`), from the last fit. Null with fewer than 2 completed trials,
   * without a GP (random and grid search), or once disposed. An unknown parameter or a bad
   * count of points rejects at once.
   */
  slice(name: string, at: Params, points = DEFAULT_SLICE_POINTS): Promise<SlicePoint[] | null> {
    try {
      sliceValues(this.options.space, this.layout, name, at, points);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.disposed || !this.modelled) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      const waiting: Waiting[] = [{ resolve, reject }];
      const older = this.queue.findIndex((task) => task.kind === 'slice' && task.name === name);
      if (older >= 0) waiting.unshift(...(this.queue.splice(older, 1)[0] as SliceTask).waiting);
      this.enqueue({ kind: 'slice', name, at, points, waiting });
    });
  }

  /**
   * Which hyperparameters matter, with the method: the GP's lengthscales from the last fit for
   * the `bayesian` strategy, the source's ranking with one (`FullBudgetBelief.ranked`), the
   * variance each explains alone otherwise (computed now from every completed trial; it needs
   * no model). Null with fewer than 2 completed trials (or, with a model, before the first fit
   * has run).
   */
  importance(): Importance | null {
    if (this.modelled) return this.belief?.ranked() ?? null;
    if (this.observations.length < 2) return null;
    return { method: 'variance', parameters: importanceWithoutModel(this.options.space, this.observations), results: this.observations.length };
  }

  /**
   * The configuration the tuner recommends (see `Recommendation`), from the last display fit
   * for the `bayesian` strategy: the evaluated configuration with the best posterior mean, with
   * its predicted value ± σ. The best observed configuration for random and grid search, and
   * before the first fit. Null before any completed trial. Queued like a slice, so it answers
   * after the fit for every result told before it; it never refits.
   */
  recommend(): Promise<Recommendation | null> {
    if (this.disposed) return Promise.resolve(null);
    return new Promise((resolve) => this.enqueue({ kind: 'recommend', resolve }));
  }

  private currentRecommendation(): Recommendation | null {
    // A source's belief is over its own space (Hyperband's adds the budget): the strategy recommends from it itself.
    const belief = this.fitter ? this.belief : null;
    return (belief && this.results.bestByModel(belief.layout, belief.posterior, belief.warp)) ?? this.results.bestObserved();
  }

  /** Stops all work: pending slices resolve to null and nothing more is fitted. */
  dispose(): void {
    this.disposed = true;
    for (const task of this.queue.splice(0)) {
      if (task.kind === 'slice') for (const { resolve } of task.waiting) resolve(null);
      if (task.kind === 'recommend') task.resolve(null);
    }
  }

  private add(params: Params, value: number, id: string | null = null): void {
    // A non-finite value is a failure to the strategy too.
    if (!Number.isFinite(value)) return;
    this.observations.push({ params, value });
    this.results.add(params, value, id);
    if (this.modelled && this.observations.length >= 2 && !this.queue.some((task) => task.kind === 'fit')) this.enqueue({ kind: 'fit' });
  }

  private enqueue(task: Task): void {
    if (this.disposed) return;
    this.queue.push(task);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.queue.length === 0) return;
    this.scheduled = true;
    this.defer(() => {
      this.scheduled = false;
      if (this.disposed) return;
      const task = this.queue.shift();
      if (task) this.run(task);
      this.schedule();
    });
  }

  private run(task: Task): void {
    if (task.kind === 'fit') {
      // A belief that cannot be factored (null) leaves the last one in place.
      const fitted = this.options.source ? this.options.source() : fitBelief(this.options.space, this.options.goal, this.observations, { fitter: this.fitter! });
      this.belief = fitted ?? this.belief;
      this.fitCount++;
      return;
    }
    if (task.kind === 'recommend') {
      task.resolve(this.currentRecommendation());
      return;
    }
    // The request was checked when it was made; an error now is a bug, and it goes to the
    // callers rather than out of the worker's event loop (which would end the job).
    try {
      const answer = this.belief ? this.belief.slice(task.name, task.at, task.points) : null;
      for (const { resolve } of task.waiting) resolve(answer);
    } catch (error) {
      for (const { reject } of task.waiting) reject(error);
    }
  }
}
