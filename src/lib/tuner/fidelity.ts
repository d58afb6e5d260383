import { createRng, type Rng } from '../rng';
import { decodeFeatures, encodeParams, encodingLayout, paramsKey, type EncodingLayout, type Params, type SearchSpace } from '../space';
import { maximizeAcquisition, type Predictor } from './acquisition';
import { curveKernel } from './curve-kernel';
import { maternKernel } from './fit';
import { assertModelCap, boundedSubset, DEFAULT_MODEL_CAP, type RungResult } from './fidelity-subset';
import { FullBudgetBelief } from './full-budget-belief';
import type { GpPosterior } from './gp';
import { ObservedConfigurations, type Recommendation } from './recommend';
import { BUDGET_PARAMETER } from './rungs';
import { orientation, refitDue, surrogateData, SurrogateFitter, type SurrogateObservation } from './surrogate';
import type { Goal } from './types';
import type { OutputWarp } from './warp';

/**
 * How the budget enters the GP: `feature`, one more input of the Matérn ARD product kernel;
 * `curve`, the learning-curve kernel (`curve-kernel.ts`), a full-budget function plus a gap
 * that vanishes at the full budget, fitted to the standardized values without the power
 * transform (a monotone warp of f_full + φ·g is no longer such a sum). Measured in
 * docs/PERFORMANCE.md (Hyperband vs bayesian): `curve` is ahead on Hartmann3 and behind on
 * MixedTraining, so `feature` stays the default. `sum`, the curve kernel plus the `feature`
 * Matérn over (x, s), each with its own variance, so the fit weights the two (also without the
 * transform), measured no better than `curve` (on MixedTraining the fit gives f_full 30–150×
 * the feature term's variance).
 */
export const FIDELITY_KERNELS = ['feature', 'curve', 'sum'] as const;
export type FidelityKernel = (typeof FIDELITY_KERNELS)[number];

/**
 * The noise variance floor of this GP, in its standardized units: 1000× below the Bayesian
 * strategy's. Its outputs are standardized over every rung, and the short runs' gaps widen
 * their spread, so the same floor hides more of the full-budget differences that refine the
 * optimum; on a noiseless objective the fit sits on the floor (docs/DECISIONS.md). The
 * Cholesky's jitter fallback still guards the conditioning.
 */
export const FIDELITY_NOISE_FLOOR = 1e-9;

/**
 * One GP over the configuration and the budget (BOHB's sampling with the budget as a feature,
 * docs/TUNER.md, Hyperband): every result, at any rung, informs the prediction at the full
 * budget, and new configurations are those with the best expected improvement there. The
 * budget is one more input, log-scaled to [0, 1] with its own lengthscale, so the model learns
 * how far a short run's value lies from the final one and how well it ranks.
 */
export class FidelityModel {
  private readonly configLayout: EncodingLayout;
  private readonly layout: EncodingLayout;
  private readonly observations: SurrogateObservation[] = [];
  /** Each observation's budget and value, for the subset rule. */
  private readonly results: RungResult[] = [];
  private readonly fitter: SurrogateFitter;
  private readonly powerTransform: boolean;
  private readonly searchRng: Rng;
  /** The fit, with how many results it saw (the acquisition search shrinks as they grow). */
  private model: { posterior: GpPosterior; best: number; incumbents: Float64Array[]; fitted: number } | null = null;
  /**
   * The recommendation's own fitter and last fit (with how many results it saw): the search's
   * fitter keeps a history (refit schedule, warm starts, random draws), so fitting it whenever
   * the page asks for a recommendation would change the next proposals.
   */
  private readonly recommendFitter: SurrogateFitter;
  private recommendModel: { posterior: GpPosterior; warp: OutputWarp; told: number; fitted: number } | null = null;
  /** Past the cap: the subset chosen at the last refit, and how many results had been told then. */
  private subset: { indices: number[]; upTo: number } | null = null;
  /** Configurations observed, by key: they are never proposed again. */
  private readonly configs = new Map<string, Float64Array>();
  /** Full-budget results by configuration (params with the budget, oriented values), for `recommend`. */
  private readonly fullBudget: ObservedConfigurations;
  /** The same results in order, one per run, for the full-budget belief's importance without lengthscales. */
  private readonly fullBudgetRuns: { params: Params; value: number }[] = [];
  private readonly space: SearchSpace;
  private readonly kernel: FidelityKernel;

  private readonly budgetMax: number;

  constructor(
    private readonly configSpace: SearchSpace,
    budget: { min: number; max: number },
    seed: number,
    /** Results the GP is fitted to at most (`boundedSubset`). */
    private readonly cap = DEFAULT_MODEL_CAP,
    /** How the budget enters the GP (`FidelityKernel`). */
    kernel: FidelityKernel = 'feature',
  ) {
    assertModelCap(cap);
    if (!FIDELITY_KERNELS.includes(kernel)) throw new RangeError(`Hyperband's kernel is one of ${FIDELITY_KERNELS.join(', ')}, got ${JSON.stringify(kernel)}.`);
    this.configLayout = encodingLayout(configSpace);
    const space: SearchSpace = { ...configSpace, [BUDGET_PARAMETER]: { type: 'integer', min: budget.min, max: budget.max, scale: 'log' } };
    this.space = space;
    this.kernel = kernel;
    this.layout = encodingLayout(space);
    this.fullBudget = new ObservedConfigurations(space, 1);
    this.budgetMax = budget.max;
    const rng = createRng(seed);
    const family = kernel === 'feature' ? maternKernel(FIDELITY_NOISE_FLOOR) : curveKernel(FIDELITY_NOISE_FLOOR, { feature: kernel === 'sum' });
    this.fitter = new SurrogateFitter(rng.fork(), family);
    this.powerTransform = kernel === 'feature';
    this.searchRng = rng.fork();
    this.recommendFitter = new SurrogateFitter(rng.fork(), family);
  }

  get size(): number {
    return this.observations.length;
  }

  /** A result at `epochs`, its value oriented for minimization. */
  add(config: Params, epochs: number, value: number): void {
    if (!Number.isFinite(value)) return;
    this.observations.push({ features: encodeParams(this.layout, { ...config, [BUDGET_PARAMETER]: epochs }), value });
    this.results.push({ budget: epochs, value });
    this.configs.set(paramsKey(this.configSpace, config), encodeParams(this.configLayout, config));
    if (epochs === this.budgetMax) {
      this.fullBudget.add({ ...config, [BUDGET_PARAMETER]: epochs }, value);
      this.fullBudgetRuns.push({ params: config, value });
    }
    this.model = null;
  }

  /**
   * Among the configurations that completed the full budget, the one this GP predicts best
   * there (the rule of `ObservedConfigurations.bestByModel`), in oriented units, `epochs` set:
   * the joint model has seen every rung's runs of a configuration and of its neighbours, where
   * a model of full-budget results alone has a few dozen noisy values. Null before 2
   * full-budget results or without a fit.
   */
  recommend(): Recommendation | null {
    if (this.fullBudget.size < 2) return null;
    const model = this.recommendationFit();
    return model && this.fullBudget.bestByModel(this.layout, model.posterior, model.warp);
  }

  /**
   * The recommendation's fit as the page shows it (`FullBudgetBelief`): slices at the full
   * budget and the configuration's importance, values mapped back through `goal`'s orientation.
   * It refits only when results came since the last recommendation or belief, and never the
   * search's model, so asking changes no suggestion. Null before 2 results or without a fit.
   */
  fullBudgetBelief(goal: Goal): FullBudgetBelief | null {
    const model = this.recommendationFit();
    if (!model) return null;
    const sign = orientation(goal);
    const results = this.fullBudgetRuns.map(({ params, value }) => ({ params, value: sign * value }));
    const full = { epochs: this.budgetMax, configSpace: this.configSpace, kernel: this.kernel, results };
    return new FullBudgetBelief(this.space, goal, this.layout, model.posterior, model.warp, model.fitted, full);
  }

  /** The recommendation's own GP over every result (see `recommendFitter`), refitted when results came since. */
  private recommendationFit(): { posterior: GpPosterior; warp: OutputWarp; fitted: number } | null {
    const told = this.observations.length;
    if (told < 2) return null;
    if (this.recommendModel?.told !== told) {
      // The same results the search's GP is fitted to, chosen afresh past the cap (boundedSubset is a pure function of them).
      const indices = told <= this.cap ? Array.from({ length: told }, (_, i) => i) : boundedSubset(this.results, this.cap);
      const { data, warp } = surrogateData(this.layout, indices.map((i) => this.observations[i]), { powerTransform: this.powerTransform });
      const posterior = this.recommendFitter.fit(data);
      this.recommendModel = posterior && { posterior, warp, told, fitted: indices.length };
    }
    return this.recommendModel;
  }

  /**
   * The configuration with the best expected improvement at the full budget over the best
   * posterior mean there among the configurations run, with `pending` (configurations running
   * or about to) believed at max(μ, best) at the full budget, as the Bayesian strategy's kriging
   * believer does. `isTaken` excludes configurations already in the job. Null without a fit.
   */
  propose(pending: Params[], isTaken: (config: Params) => boolean): Params | null {
    const model = this.fit();
    if (!model) return null;
    const dims = this.layout.width;
    const believed = new Float64Array(pending.length * dims);
    const values = new Float64Array(pending.length);
    pending.forEach((config, i) => {
      const f = this.atFullBudget(encodeParams(this.configLayout, config));
      believed.set(f, i * dims);
      values[i] = Math.max(model.posterior.predict(f).mean, model.best);
    });
    const posterior = model.posterior.believe(believed, pending.length, values);
    const effort = Math.min(1, (60 / model.fitted) ** 1.5);
    const x = maximizeAcquisition({
      space: this.configSpace,
      layout: this.configLayout,
      posterior: this.fullBudgetPredictor(posterior),
      best: model.best,
      incumbents: model.incumbents,
      isTaken: (features) => isTaken(decodeFeatures(this.configLayout, features)),
      rng: this.searchRng,
      // The Bayesian strategy's shrinking search: each scored point costs O(n²).
      globalCandidates: Math.round(Math.max(300, effort * Math.min(2000, 500 + 150 * this.configLayout.blocks.length))),
      effort: Math.max(0.3, effort),
    });
    return x ? decodeFeatures(this.configLayout, x) : null;
  }

  /**
   * How sure the model is that `config` beats the incumbent at the full budget: (best − μ)/σ
   * there, on the results alone (nothing believed). Null without a fit.
   */
  fullBudgetEdge(config: Params): number | null {
    const model = this.fit();
    if (!model) return null;
    const { mean, variance } = model.posterior.predict(this.atFullBudget(encodeParams(this.configLayout, config)));
    return (model.best - mean) / Math.sqrt(Math.max(variance, 1e-12));
  }

  private fit() {
    if (this.model) return this.model;
    if (this.observations.length < 2) return null;
    const fitted = this.fittedIndices().map((i) => this.observations[i]);
    const { data } = surrogateData(this.layout, fitted, { powerTransform: this.powerTransform });
    const posterior = this.fitter.fit(data);
    if (!posterior) return null;
    const scored = [...this.configs.values()].map((f) => ({ f, mean: posterior.predict(this.atFullBudget(f)).mean })).sort((a, b) => a.mean - b.mean);
    this.model = { posterior, best: scored[0].mean, incumbents: scored.slice(0, 5).map((s) => s.f), fitted: fitted.length };
    return this.model;
  }

  /**
   * Which results the GP is fitted to. Up to the cap, all. Past it, the subset `boundedSubset`
   * chooses, re-chosen only when the fitter refits the hyperparameters (`refitDue` on the data's
   * size); in between, every result told since is appended to it, so the data grow only at their
   * end and the fitter extends its last posterior in O(n²) per result, as the Bayesian strategy's
   * does. The appended results are dropped or kept at the next choice.
   */
  private fittedIndices(): number[] {
    const told = this.observations.length;
    if (told <= this.cap) return Array.from({ length: told }, (_, i) => i);
    if (this.subset) {
      const grown = [...this.subset.indices];
      for (let i = this.subset.upTo; i < told; i++) grown.push(i);
      if (!refitDue(grown.length, this.subset.indices.length)) return grown;
    }
    this.subset = { indices: boundedSubset(this.results, this.cap), upTo: told };
    return this.subset.indices;
  }

  private atFullBudget(config: Float64Array): Float64Array {
    const f = new Float64Array(this.layout.width);
    f.set(config);
    f[this.layout.width - 1] = 1;
    return f;
  }

  /** The posterior over configurations at the full budget (the budget feature fixed at 1). */
  private fullBudgetPredictor(posterior: GpPosterior): Predictor {
    const f = new Float64Array(this.layout.width);
    f[this.layout.width - 1] = 1;
    const width = this.configLayout.width;
    return {
      predict: (x: Float64Array, offset = 0) => {
        for (let i = 0; i < width; i++) f[i] = x[offset + i];
        return posterior.predict(f);
      },
    };
  }
}
