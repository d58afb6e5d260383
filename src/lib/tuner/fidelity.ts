import { createRng, type Rng } from '../rng';
import { decodeFeatures, encodeParams, encodingLayout, paramsKey, type EncodingLayout, type Params, type SearchSpace } from '../space';
import { maximizeAcquisition, type Predictor } from './acquisition';
import { curveKernel } from './curve-kernel';
import { maternKernel } from './fit';
import { assertModelCap, boundedSubset, DEFAULT_MODEL_CAP, type RungResult } from './fidelity-subset';
import type { GpPosterior } from './gp';
import { ObservedConfigurations, type Recommendation } from './recommend';
import { BUDGET_PARAMETER } from './rungs';
import { refitDue, surrogateData, SurrogateFitter, type SurrogateObservation } from './surrogate';
import type { OutputWarp } from './warp';

/**
 * How the budget enters the GP: `feature`, one more input of the Matérn ARD product kernel;
 * `curve`, the learning-curve kernel (`curve-kernel.ts`), a full-budget function plus a gap
 * that vanishes at the full budget, fitted to the standardized values without the power
 * transform (a monotone warp of f_full + φ·g is no longer such a sum). Measured in
 * docs/PERFORMANCE.md (Hyperband vs bayesian): `curve` is ahead on Hartmann3 and behind on
 * MixedTraining, so `feature` stays the default.
 */
export const FIDELITY_KERNELS = ['feature', 'curve', 'select'] as const;
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
  /** One surrogate per kernel fitted; `select` fits two and uses the one chosen at each fit. */
  private readonly surrogates: KernelSurrogate[];
  /** The surrogate of the last fit: the one the search and the recommendation use. */
  private chosen: KernelSurrogate;
  /** Each fit with both kernels: results, full-budget results, each kernel's score, the choice. */
  readonly choices: KernelChoice[] = [];
  private cum = [0, 0];
  private readonly searchRng: Rng;
  /** The fit, with how many results it saw (the acquisition search shrinks as they grow). */
  private model: { posterior: GpPosterior; best: number; incumbents: Float64Array[]; fitted: number } | null = null;
  private recommendModel: { posterior: GpPosterior; warp: OutputWarp; told: number } | null = null;
  /** Past the cap: the subset chosen at the last refit, and how many results had been told then. */
  private subset: { indices: number[]; upTo: number } | null = null;
  /** Configurations observed, by key: they are never proposed again. */
  private readonly configs = new Map<string, Float64Array>();
  /** Full-budget results by configuration (params with the budget, oriented values), for `recommend`. */
  private readonly fullBudget: ObservedConfigurations;

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
    this.layout = encodingLayout(space);
    this.fullBudget = new ObservedConfigurations(space, 1);
    this.budgetMax = budget.max;
    const rng = createRng(seed);
    // The forks in this order keep `feature` and `curve` drawing what they drew before `select`.
    const first = kernel === 'curve' ? 'curve' : 'feature';
    const fitter = rng.fork();
    this.searchRng = rng.fork();
    this.surrogates = [kernelSurrogate(first, fitter, rng.fork())];
    if (kernel === 'select') this.surrogates.push(kernelSurrogate('curve', rng.fork(), rng.fork()));
    this.chosen = this.surrogates[0];
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
    if (epochs === this.budgetMax) this.fullBudget.add({ ...config, [BUDGET_PARAMETER]: epochs }, value);
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
    const told = this.observations.length;
    if (this.recommendModel?.told !== told) {
      // The same results the search's GP is fitted to, chosen afresh past the cap (boundedSubset is a pure function of them).
      const indices = told <= this.cap ? Array.from({ length: told }, (_, i) => i) : boundedSubset(this.results, this.cap);
      const { data, warp } = surrogateData(this.layout, indices.map((i) => this.observations[i]), { powerTransform: this.chosen.powerTransform });
      const posterior = this.chosen.recommendFitter.fit(data);
      this.recommendModel = posterior && { posterior, warp, told };
    }
    const model = this.recommendModel;
    return model && this.fullBudget.bestByModel(this.layout, model.posterior, model.warp);
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
    const fits = this.surrogates.flatMap((surrogate) => {
      const { data, warp } = surrogateData(this.layout, fitted, { powerTransform: surrogate.powerTransform });
      const posterior = surrogate.fitter.fit(data);
      return posterior ? [{ surrogate, posterior, warp }] : [];
    });
    if (fits.length === 0) return null;
    let pick = fits[0];
    if (fits.length > 1) {
      let full = fitted.flatMap((o, i) => (o.features[this.layout.width - 1] === 1 ? [i] : []));
      if ((globalThis as any).process?.env?.TABTUNE_TOP) full = [...full].sort((a, b) => fitted[a].value - fitted[b].value).slice(0, Math.max(2, Math.ceil(full.length / 2)));
      const scores = fits.map((f) => fullBudgetLooScore(f.posterior, f.warp, fitted, full));
      const rule = (globalThis as any).process?.env?.TABTUNE_SELECT ?? 'density';
      if (rule === 'tau') {
        if (full.length >= 2) pick = fits[scores[1].tau > scores[0].tau ? 1 : 0];
      } else if (rule === 'cum') {
        this.cum[0] += scores[0].density * full.length; this.cum[1] += scores[1].density * full.length;
        if (full.length >= 2) pick = fits[this.cum[1] > this.cum[0] ? 1 : 0];
      } else if (full.length >= 2) pick = fits[scores[1].density > scores[0].density ? 1 : 0];
      this.choices.push({ results: fitted.length, fullBudget: full.length, scores: Object.fromEntries(fits.map((f, k) => [f.surrogate.kernel, scores[k]])), chosen: pick.surrogate.kernel });
    }
    this.chosen = pick.surrogate;
    const { posterior } = pick;
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

/** A kernel's fitters: the search's, and the recommendation's own (fitted apart, so asking for one changes no proposal). */
interface KernelSurrogate {
  kernel: 'feature' | 'curve';
  fitter: SurrogateFitter;
  recommendFitter: SurrogateFitter;
  /** The curve kernel is fitted without the power transform (a monotone warp of a sum is not a sum). */
  powerTransform: boolean;
}

function kernelSurrogate(kernel: 'feature' | 'curve', searchRng: Rng, recommendRng: Rng): KernelSurrogate {
  const family = kernel === 'curve' ? curveKernel(FIDELITY_NOISE_FLOOR) : maternKernel(FIDELITY_NOISE_FLOOR);
  return { kernel, fitter: new SurrogateFitter(searchRng, family), recommendFitter: new SurrogateFitter(recommendRng, family), powerTransform: kernel !== 'curve' };
}

/** How one kernel predicted the full-budget results left out one at a time. */
export interface LooScore {
  /** Mean log density of each left-out value, in the objective's units (the warp's Jacobian applied). */
  density: number;
  /** Kendall's τ between the left-out means and the values. */
  tau: number;
}

export interface KernelChoice {
  results: number;
  fullBudget: number;
  scores: Record<string, LooScore>;
  chosen: 'feature' | 'curve';
}

/**
 * The leave-one-out score of a fit at the rows `rows` (the full-budget results): the model is
 * judged by what the search needs from it, the value at the full budget, with every other
 * result (the same configuration's shorter runs included) kept.
 */
export function fullBudgetLooScore(posterior: GpPosterior, warp: OutputWarp, observations: readonly SurrogateObservation[], rows: readonly number[]): LooScore {
  if (rows.length === 0) return { density: 0, tau: 0 };
  const loo = posterior.leaveOneOut();
  let density = 0;
  for (const i of rows) {
    const z = warp.values[i];
    const variance = loo.variance[i];
    // d(objective)/dz at the value, by central difference of the (smooth, monotone) inverse warp.
    const h = 1e-4;
    const slope = (warp.inverse(z + h) - warp.inverse(z - h)) / (2 * h);
    density += -0.5 * Math.log(2 * Math.PI * variance) - (0.5 * (z - loo.mean[i]) ** 2) / variance - Math.log(Math.max(slope, 1e-300));
  }
  let concordant = 0;
  let pairs = 0;
  for (let a = 0; a < rows.length; a++) {
    for (let b = 0; b < a; b++) {
      const dv = observations[rows[a]].value - observations[rows[b]].value;
      const dm = loo.mean[rows[a]] - loo.mean[rows[b]];
      if (dv === 0) continue;
      pairs++;
      concordant += Math.sign(dv) === Math.sign(dm) ? 1 : -1;
    }
  }
  return { density: density / rows.length, tau: pairs > 0 ? concordant / pairs : 0 };
}
