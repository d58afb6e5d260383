import { createRng, type Rng } from '../rng';
import { assertParams, paramsKey, sampleParams, type Params, type SearchSpace } from '../space';
import { BayesianStrategy, defaultInitialTrials } from './bayesian';
import { FidelityModel, type FidelityKernel } from './fidelity';
import type { FullBudgetBelief } from './full-budget-belief';
import { PendingTrials } from './pending';
import type { Recommendation } from './recommend';
import { BracketCycle, bracketShares, BUDGET_PARAMETER, DEFAULT_ETA, epochRange, rungBudgets } from './rungs';
import { orientation } from './surrogate';
import type { Outcome, Strategy, StrategyOptions, Suggestion } from './types';

export interface HyperbandOptions extends StrategyOptions {
  /** Reduction factor between rungs (default 3): the top 1/η of a rung is promoted to η× the epochs. */
  eta?: number;
  /** The smallest and largest budget in epochs; default the space's `epochs` range. */
  minEpochs?: number;
  maxEpochs?: number;
  /**
   * How many of Hyperband's brackets to run, most aggressive first (default all; 1 is ASHA:
   * every configuration starts at the smallest budget).
   */
  brackets?: number;
  /** Results the sampling GP is fitted to at most, the top rung aside (default 150, `boundedSubset`). */
  modelCap?: number;
  /**
   * Run a new configuration that the GP expects at the full budget to be about as good as the
   * incumbent straight at the full budget, outside the bracket cycle (default on; off: only
   * Hyperband's brackets). See `exploits`.
   */
  exploitAtFullBudget?: boolean;
  /** How the budget enters the sampling GP (`FidelityKernel`, default `feature`). */
  fidelityKernel?: FidelityKernel;
}

/** Full-budget results the GP needs before a configuration may skip the low rungs. */
const EXPLOIT_AFTER = 3;
/** How far above the incumbent, in posterior sd at the full budget, a proposal still counts as exploiting it. */
const EXPLOIT_SD = 1;

/**
 * A trial of Hyperband: its params carry the rung's budget as `epochs`, so whoever runs it
 * trains that many epochs with the schedule over them, and tells the result at that budget.
 */
export interface HyperbandSuggestion extends Suggestion {
  /** The rung's budget, also `params.epochs`. */
  epochs: number;
  /** The rung, 0 for the smallest budget. */
  rung: number;
  /** Which of this strategy's configurations it runs (1, 2, …); a promotion runs the same one again with more epochs. */
  config: number;
}

/** One configuration (the params other than `epochs`) and where it stands. */
interface Configuration {
  number: number;
  params: Params;
  bracket: number;
  /** Oriented (minimized) value at each rung it completed. */
  values: Map<number, number>;
  /** The highest rung it was sent to (running or done). */
  reached: number;
  /** Set when a run failed: it is never promoted again. */
  failed: boolean;
}

interface PendingRun {
  config: Configuration;
  rung: number;
}

/**
 * Asynchronous Hyperband (ASHA's promotion in Hyperband's brackets) with epochs as the budget,
 * and new configurations sampled BOHB-style: from a GP fitted to the results at the largest
 * budget that has enough of them, at random before any has. See docs/TUNER.md, Hyperband.
 *
 * `ask` first promotes: a configuration whose result at a rung is in the top ⌊n/η⌋ of the n
 * results there (goal-aware) and not yet promoted runs again at the next rung's epochs,
 * highest rung first, without waiting for the rung to fill. Only when nothing is promotable
 * does it start a new configuration, in the bracket the cycle names, at that bracket's first
 * rung, or at the full budget when it refines the incumbent (`exploits`). It never runs out:
 * every ask is answered.
 */
export class HyperbandStrategy implements Strategy {
  readonly budgets: number[];
  private readonly eta: number;
  private readonly sign: 1 | -1;
  /** The space without the budget parameter: what a configuration is. */
  private readonly configSpace: SearchSpace;
  private readonly rng: Rng;
  private readonly cycle: BracketCycle;
  private readonly configs: Configuration[] = [];
  private readonly byKey = new Map<string, Configuration>();
  private readonly pending = new PendingTrials<PendingRun | { registered: Params }>();
  /** A GP per rung budget, told every result at that budget: the recommendation before the joint model has 2 full-budget results. */
  private readonly models: BayesianStrategy[];
  /** The GP over configuration and budget that samples new configurations. */
  private readonly fidelity: FidelityModel;
  /** Results a model needs before it samples: as many as the Bayesian strategy's initial design, and one more. */
  private readonly modelMinimum: number;
  /** Configurations that completed the full budget. */
  private fullBudgetResults = 0;

  constructor(private readonly options: HyperbandOptions) {
    const { min, max } = epochRange(options.space, options);
    this.eta = options.eta ?? DEFAULT_ETA;
    this.budgets = rungBudgets(min, max, this.eta);
    this.sign = orientation(options.goal);
    this.configSpace = Object.fromEntries(Object.entries(options.space).filter(([name]) => name !== BUDGET_PARAMETER));
    if (Object.keys(this.configSpace).length === 0) throw new RangeError(`Hyperband needs a parameter to search besides "${BUDGET_PARAMETER}".`);
    const rng = createRng(options.seed);
    this.rng = rng.fork();
    const shares = bracketShares(this.budgets.length, this.eta);
    const brackets = options.brackets ?? shares.length;
    if (!Number.isInteger(brackets) || brackets < 1) throw new RangeError(`Hyperband runs at least 1 bracket, got ${brackets}.`);
    this.cycle = new BracketCycle(shares.slice(0, brackets));
    this.models = this.budgets.map(() => new BayesianStrategy({ space: this.configSpace, goal: options.goal, seed: Math.floor(rng.next() * 2 ** 31) }));
    this.fidelity = new FidelityModel(this.configSpace, { min: this.budgets[0], max: this.budgets[this.budgets.length - 1] }, Math.floor(rng.next() * 2 ** 31), options.modelCap, options.fidelityKernel);
    this.modelMinimum = defaultInitialTrials(Object.keys(this.configSpace).length) + 1;
  }

  ask(count: number): HyperbandSuggestion[] {
    const suggestions: HyperbandSuggestion[] = [];
    for (let i = 0; i < count; i++) {
      const promotion = this.promotable();
      const config = promotion?.config ?? this.newConfiguration();
      if (!config) break;
      const rung = promotion ? promotion.rung : config.bracket;
      config.reached = rung;
      const epochs = this.budgets[rung];
      const id = this.pending.issue({ config, rung });
      suggestions.push({ id, params: this.withBudget(config.params, epochs), epochs, rung, config: config.number });
    }
    return suggestions;
  }

  tell(id: string, outcome: Outcome): void {
    const run = this.pending.resolve(id);
    if ('registered' in run) {
      this.learn(run.registered, outcome);
      return;
    }
    const { config, rung } = run;
    if ('value' in outcome && Number.isFinite(outcome.value)) {
      config.values.set(rung, this.sign * outcome.value);
      if (rung === this.budgets.length - 1) this.fullBudgetResults++;
    } else {
      config.failed = true;
    }
    this.learn(this.withBudget(config.params, this.budgets[rung]), outcome);
  }

  /** A re-run (params with `epochs`): pending like a trial; its value informs the model at its budget, no rung. */
  register(params: Params): string {
    this.checkParams(params);
    return this.pending.issue({ registered: params });
  }

  /** A result from elsewhere (warm start): it informs the model at its budget when `epochs` is a rung's. */
  observe(params: Params, value: number): void {
    this.checkParams(params);
    this.learn(params, Number.isFinite(value) ? { value } : { failed: true });
  }

  /**
   * Among the configurations run at the full budget, the one with the best posterior mean there
   * of the GP over configuration and budget (`basis: 'model'`, see `Recommendation`), `epochs`
   * at the maximum: that model has seen every rung's runs, so under noise it ranks full-budget
   * results better than they rank themselves (docs/TUNER.md). It is fitted apart from the
   * search's, so asking changes no suggestion. Before 2 full-budget results (or without a fit),
   * the recommendation of the per-rung model at the highest rung any configuration completed.
   */
  recommend(): Recommendation | null {
    const joint = this.fidelity.recommend();
    if (joint) return { ...joint, observed: this.sign * joint.observed, mean: joint.mean === null ? null : this.sign * joint.mean };
    for (let rung = this.budgets.length - 1; rung >= 0; rung--) {
      const r = this.models[rung].recommend();
      if (r) return { ...r, params: this.withBudget(r.params, this.budgets[rung]) };
    }
    return null;
  }

  /**
   * What the joint GP believes at the full budget, for the page's slices and importance
   * (`FidelityModel.fullBudgetBelief`): the recommendation's fit, apart from the search's, so
   * asking changes no suggestion. Null before 2 results.
   */
  fullBudgetBelief(): FullBudgetBelief | null {
    return this.fidelity.fullBudgetBelief(this.options.goal);
  }

  /** Epochs of every run asked so far, promotions included (each trains from scratch). */
  get epochsAsked(): number {
    return this.configs.reduce((sum, c) => sum + this.budgets.slice(c.bracket, c.reached + 1).reduce((a, b) => a + b, 0), 0);
  }

  private learn(params: Params, outcome: Outcome): void {
    const rung = this.budgets.indexOf(Number(params[BUDGET_PARAMETER]));
    if (rung < 0 || !('value' in outcome) || !Number.isFinite(outcome.value)) return;
    this.models[rung].observe(this.withoutBudget(params), outcome.value);
    this.fidelity.add(this.withoutBudget(params), this.budgets[rung], this.sign * outcome.value);
  }

  /** A point with its budget: the configuration's params valid in the space, `epochs` a whole number in the budget range. */
  private checkParams(params: Params): void {
    const epochs = params[BUDGET_PARAMETER];
    const first = this.budgets[0];
    const last = this.budgets[this.budgets.length - 1];
    if (typeof epochs !== 'number' || !Number.isInteger(epochs) || epochs < first || epochs > last) {
      throw new RangeError(`A Hyperband point needs "${BUDGET_PARAMETER}" as a whole number from ${first} to ${last}, got ${JSON.stringify(epochs)}.`);
    }
    assertParams(this.configSpace, this.withoutBudget(params));
  }

  /**
   * ASHA: the best not yet promoted configuration in the top ⌊n/η⌋ of the n results at a rung
   * of its bracket (each bracket is its own successive halving), highest rung first.
   */
  private promotable(): { config: Configuration; rung: number } | null {
    for (let rung = this.budgets.length - 2; rung >= 0; rung--) {
      for (let bracket = 0; bracket <= rung; bracket++) {
        const done = this.configs.filter((c) => c.bracket === bracket && c.values.has(rung)).sort((a, b) => a.values.get(rung)! - b.values.get(rung)!);
        const next = done.slice(0, Math.floor(done.length / this.eta)).find((c) => c.reached === rung && !c.failed);
        if (next) return { config: next, rung: rung + 1 };
      }
    }
    return null;
  }

  private newConfiguration(): Configuration | null {
    const sampled = this.sample();
    if (!sampled) return null;
    const bracket = this.exploits(sampled) ? this.budgets.length - 1 : this.cycle.next();
    const config: Configuration = { number: this.configs.length + 1, params: sampled, bracket, values: new Map(), reached: -1, failed: false };
    this.configs.push(config);
    this.byKey.set(paramsKey(this.configSpace, sampled), config);
    return config;
  }

  /**
   * Whether a new configuration skips the brackets and runs at the full budget: once the GP has
   * EXPLOIT_AFTER full-budget results, when its full-budget mean there is within EXPLOIT_SD
   * posterior sd of the incumbent's (μ ≤ best + σ), i.e. the proposal refines the incumbent
   * rather than explores. Its low rungs would rank it among near-equal neighbours by their
   * learning-curve gaps, which say nothing at that precision; only a full run can show it is
   * better. On the bench this reached bayesian's final regret on MixedTraining in half the
   * epochs (docs/PERFORMANCE.md, Hyperband vs bayesian).
   */
  private exploits(config: Params): boolean {
    if (this.options.exploitAtFullBudget === false || this.fullBudgetResults < EXPLOIT_AFTER) return false;
    const edge = this.fidelity.fullBudgetEdge(config);
    return edge !== null && edge >= -EXPLOIT_SD;
  }

  /**
   * BOHB's sampling with the budget as a feature: from the GP over configuration and epochs
   * (`FidelityModel`) once it has enough results at any rungs, with the configurations running
   * believed at the full budget; at random, never repeating a configuration, before.
   */
  private sample(): Params | null {
    const isTaken = (params: Params) => this.byKey.has(paramsKey(this.configSpace, params));
    if (this.fidelity.size >= this.modelMinimum) {
      const running = new Set<Configuration>();
      for (const run of this.pending.values()) if ('config' in run) running.add(run.config);
      const params = this.fidelity.propose([...running].map((c) => c.params), isTaken);
      if (params && !isTaken(params)) return params;
    }
    for (let draw = 0; draw < 1000; draw++) {
      const params = sampleParams(this.configSpace, this.rng);
      if (!isTaken(params)) return params;
    }
    return null;
  }

  private withBudget(params: Params, epochs: number): Params {
    // The budget takes its place in the space's order when the space searches it.
    const out: Params = {};
    for (const name of Object.keys(this.options.space)) out[name] = name === BUDGET_PARAMETER ? epochs : params[name];
    if (!(BUDGET_PARAMETER in out)) out[BUDGET_PARAMETER] = epochs;
    return out;
  }

  private withoutBudget(params: Params): Params {
    const { [BUDGET_PARAMETER]: _budget, ...rest } = params;
    return rest;
  }
}
