import { createRng, type Rng } from '../rng';
import { decodeFeatures, encodeParams, encodingLayout, fromUnitPoint, paramsKey, sampleParams, type EncodingLayout, type Params } from '../space';
import { maximizeAcquisition } from './acquisition';
import { noisyExpectedImprovement } from './noisy-ei';
import { assertParams } from '../space';
import { latinHypercube } from './design';
import type { GpPosterior } from './gp';
import { gridAxes, gridPoint, gridSize } from './grid';
import type { Outcome, Strategy, StrategyOptions, Suggestion } from './types';
import { orientation, surrogateData, SurrogateFitter, type SurrogateObservation } from './surrogate';
import { PendingTrials } from './pending';
import { ObservedConfigurations, type Recommendation } from './recommend';
import type { OutputWarp } from './warp';
import { minimumStep, thompsonInBox, TrustRegion, withinStep, type TrustRegionOptions } from './trust-region';

export interface BayesianOptions extends StrategyOptions {
  /** Size of the space-filling initial design; default from `defaultInitialTrials`. */
  initialTrials?: number;
  /** Yeo-Johnson transform of the outputs (default on). */
  powerTransform?: boolean;
  /**
   * What EI improves on and the believer caps at: the best observed value (`observed`, default)
   * or the best posterior mean over the observed points (`mean`, worse on the noisy bench);
   * docs/TUNER.md, Noise.
   */
  incumbent?: 'mean' | 'observed';
  /**
   * Re-evaluate the recommended configuration when the model is unsure of it, at most once in
   * this many asks (default 3; 0: never); docs/TUNER.md, Noise.
   */
  reevaluateEvery?: number;
  /** Share of `maxTrials` spent at its end on exploitation under noise (default EXPLOIT_SHARE). */
  exploitShare?: number;
  /**
   * What the exploitation runs: the posterior-mean minimizer alternating with the recommended
   * configuration (`alternate`, default), or the minimizer alone (`minimizer`, an ablation).
   */
  exploit?: 'minimizer' | 'alternate';
  /**
   * What is maximized once the objective is found noisy: noisy expected improvement (`nei`) or
   * EI on the best observed value (`ei`); without noise always EI. docs/TUNER.md, Noise.
   */
  noisyAcquisition?: 'ei' | 'nei';
  /**
   * Local search under noise (off by default; docs/TUNER.md, Noise): once the objective is
   * found noisy, every `localEvery`-th ask (0: never) proposes a point from a trust region
   * around the recommended configuration, by EI on the least posterior mean inside the box.
   */
  localEvery?: number;
  /** The same for the last `localShare` of a known budget before its exploitation (default 0; without `maxTrials` there is no such share). */
  localShare?: number;
  /** What picks the local proposal in the box: EI on the least posterior mean (default) or a Thompson draw. */
  localAcquisition?: 'ei' | 'thompson';
  /** The trust region's tolerances and the noise floor on its side (`TrustRegionOptions`). */
  trustRegion?: TrustRegionOptions;
}

/** On the noisy bench, re-evaluating at most every third ask cut the recommendation's mean regret most (docs/PERFORMANCE.md). */
const DEFAULT_REEVALUATE_EVERY = 3;
/**
 * Share of a known budget spent on exploitation under noise: 7 % (the last 2 of 30 trials, 4
 * of 60) gained most on the noisy bench; 15 % gave up exploration that found the best basin
 * on some seeds (docs/PERFORMANCE.md).
 */
const EXPLOIT_SHARE = 0.07;
/** Below this noise variance (GP units: outputs standardized) the objective counts as noiseless and nothing is re-evaluated. */
export const NOISY = 0.01;
/** Points of the trust region a Thompson draw is taken at (a joint draw costs O(m³)). */
const THOMPSON_POINTS = 256;
/** Joint draws of the latent function at the evaluated points that noisy EI averages over. */
const NEI_SAMPLES = 32;

/**
 * Initial design size. In the bench (docs/PERFORMANCE.md) 5 points beat 3, 8 and 12 on the worst
 * case at Branin/Hartmann3 budgets; d + 1 is the least that shows each parameter's effect to a
 * first fit, and more gave nothing on the 6- and 7-parameter functions.
 */
export function defaultInitialTrials(parameters: number): number {
  return Math.max(5, parameters + 1);
}

interface FittedModel {
  posterior: GpPosterior;
  /** Maps the GP's outputs back to the oriented objective. */
  warp: OutputWarp;
  /** The incumbent (see `BayesianOptions.incumbent`) and the worst observed value, in the GP's units. */
  best: number;
  worst: number;
  /** Features of the best few observations, best first. */
  incumbents: Float64Array[];
}

const RANDOM_DRAWS = 1000;
const ENUMERATION_LIMIT = 100_000n;

/**
 * GP-based Bayesian optimization (see docs/TUNER.md): a space-filling design first, then a
 * Matérn-5/2 GP on warped outputs, LogEI maximized over the mixed space, and a kriging
 * believer capped at the incumbent for pending trials.
 */
export class BayesianStrategy implements Strategy {
  private readonly layout: EncodingLayout;
  private readonly sign: 1 | -1;
  private readonly initialTrials: number;
  private readonly designRng: Rng;
  private readonly searchRng: Rng;
  private readonly observations: SurrogateObservation[] = [];
  /** The same results by configuration, in the objective's units, for `recommend`. */
  private readonly results: ObservedConfigurations;
  private readonly failed: Float64Array[] = [];
  /** Asked and registered points awaiting their outcome; all are believed alike (suggestFromModel). */
  private readonly pending = new PendingTrials<{ params: Params; features: Float64Array; registered: boolean }>();
  private readonly seen = new Set<string>();
  private design: Params[] | null = null;
  private designUsed = 0;
  /** Fits the posterior on the observations (no believed points). */
  private readonly fitter: SurrogateFitter;
  private model: FittedModel | null = null;
  private readonly finiteSize: bigint | null;
  private asksSinceReevaluation = 0;
  /** Suggestions handed out by `ask`, counted against `maxTrials`. */
  private asked = 0;
  private readonly trustRegion: TrustRegion;
  private asksSinceLocal = 0;
  /** Local proposals by trial id, with the centre they were proposed from, until told. */
  private readonly localPending = new Map<string, { features: Float64Array; center: Float64Array }>();
  /** Local proposals told a value, to be judged against their centre by the next fitted model. */
  private readonly localToJudge: { features: Float64Array; center: Float64Array }[] = [];
  /** Set by `localProposal` for the ask it answers: the centre, so `ask` can file the proposal. */
  private localCenter: Float64Array | null = null;

  constructor(private readonly options: BayesianOptions) {
    const { maxTrials, exploitShare } = options;
    if (maxTrials !== undefined && !(Number.isInteger(maxTrials) && maxTrials >= 1)) throw new Error(`maxTrials must be a whole number of at least 1, got ${maxTrials}.`);
    if (exploitShare !== undefined && !(exploitShare >= 0 && exploitShare <= 1)) throw new Error(`exploitShare must be from 0 to 1, got ${exploitShare}.`);
    const { localEvery, localShare, localAcquisition } = options;
    if (localEvery !== undefined && !(Number.isInteger(localEvery) && localEvery >= 0)) throw new Error(`localEvery must be a whole number of at least 0, got ${localEvery}.`);
    if (localShare !== undefined && !(localShare >= 0 && localShare <= 1)) throw new Error(`localShare must be from 0 to 1, got ${localShare}.`);
    if (localAcquisition !== undefined && localAcquisition !== 'ei' && localAcquisition !== 'thompson') throw new Error(`localAcquisition must be 'ei' or 'thompson', got ${String(localAcquisition)}.`);
    this.layout = encodingLayout(options.space);
    this.sign = orientation(options.goal);
    this.results = new ObservedConfigurations(options.space, this.sign);
    const parameters = this.layout.blocks.length;
    this.initialTrials = Math.max(1, Math.floor(options.initialTrials ?? defaultInitialTrials(parameters)));
    const rng = createRng(options.seed);
    this.designRng = rng.fork();
    this.fitter = new SurrogateFitter(rng.fork());
    this.searchRng = rng.fork();
    const discrete = Object.values(options.space).every((p) => p.type !== 'continuous');
    this.finiteSize = discrete ? gridSize(gridAxes(options.space)) : null;
    this.trustRegion = new TrustRegion(parameters, options.trustRegion);
  }

  ask(count: number): Suggestion[] {
    const suggestions: Suggestion[] = [];
    for (let i = 0; i < count; i++) {
      this.localCenter = null;
      const params = this.exploitation() ?? this.reevaluation() ?? this.localProposal() ?? this.suggest();
      if (!params) break;
      this.asked++;
      this.asksSinceReevaluation++;
      this.asksSinceLocal++;
      this.seen.add(this.key(params));
      const features = encodeParams(this.layout, params);
      const id = this.pending.issue({ params, features, registered: false });
      if (this.localCenter) {
        this.localPending.set(id, { features, center: this.localCenter });
        this.asksSinceLocal = 0;
      }
      suggestions.push({ id, params });
    }
    return suggestions;
  }

  /**
   * A point to run that this strategy did not propose (a re-run): pending, so the kriging
   * believer conditions the next asks on it as on any suggestion; counted towards the initial
   * design like any trial. Its value is data like any other (a repeat tells the GP about noise).
   */
  register(params: Params): string {
    assertParams(this.options.space, params);
    this.seen.add(this.key(params));
    return this.pending.issue({ params, features: encodeParams(this.layout, params), registered: true });
  }

  tell(id: string, outcome: Outcome): void {
    const trial = this.pending.resolve(id);
    const local = this.localPending.get(id);
    this.localPending.delete(id);
    if ('value' in outcome && Number.isFinite(outcome.value)) {
      if (local) this.localToJudge.push(local);
      this.observations.push({ features: trial.features, value: this.sign * outcome.value });
      this.results.add(trial.params, outcome.value, id);
      this.model = null;
    } else if (!trial.registered) {
      // A failed (or non-finite) run has no value to fit; it is kept out of future suggestions
      // and believed to be poor (see suggestFromModel).
      this.failed.push(trial.features);
    }
    // A registered point that failed is only dropped, not believed poor: a re-run repeats a
    // point already tried, so its failure says more about the run (a stop, a crashed worker)
    // than about the point, and a worst-value belief there would contradict the value observed.
  }

  observe(params: Params, value: number): void {
    assertParams(this.options.space, params);
    this.seen.add(this.key(params));
    const features = encodeParams(this.layout, params);
    if (Number.isFinite(value)) {
      this.observations.push({ features, value: this.sign * value });
      this.results.add(params, value);
      this.model = null;
    } else {
      this.failed.push(features);
    }
  }

  /**
   * The evaluated configuration with the best posterior mean of the GP (fitted with its learned
   * noise, the model `ask` uses; fitted now if no ask has since the last result), stated as its
   * predicted value ± σ. With fewer than 2 results, or a kernel matrix that cannot be factored,
   * the best observed configuration instead (`basis: 'observed'`).
   */
  recommend(): Recommendation | null {
    const model = this.observations.length >= 2 ? this.fitModel() : null;
    return (model && this.results.bestByModel(this.layout, model.posterior, model.warp)) ?? this.results.bestObserved();
  }

  /**
   * The recommended configuration again, when the objective is noisy and the model is unsure
   * of that configuration: its latent variance is above half the noise variance (less than
   * about two runs' worth of evidence there). The best observed value under noise is often a
   * lucky draw; a second run there tells the model which of the top configurations is truly
   * best. At most once in `reevaluateEvery` asks, never while the same point is pending.
   */
  private reevaluation(): Params | null {
    const every = this.options.reevaluateEvery ?? DEFAULT_REEVALUATE_EVERY;
    if (every <= 0 || this.asksSinceReevaluation < every || this.observations.length < this.initialTrials) return null;
    const model = this.fitModel();
    if (!model || model.posterior.noise < NOISY) return null;
    const r = this.results.bestByModel(this.layout, model.posterior, model.warp);
    if (!r) return null;
    if (this.pendingKeys().has(this.key(r.params))) return null;
    if (model.posterior.predict(encodeParams(this.layout, r.params)).variance < model.posterior.noise / 2) return null;
    this.asksSinceReevaluation = 0;
    return r.params;
  }

  /**
   * In the last EXPLOIT_SHARE of a known budget, under noise, no more search for improvement:
   * the point the model believes best (the posterior-mean minimizer over the whole space) is
   * run, so the recommendation, which chooses among evaluated configurations, can choose it,
   * alternating with another run of the recommended configuration, which firms up its mean.
   */
  private exploitation(): Params | null {
    const budget = this.options.maxTrials;
    if (budget === undefined) return null;
    const share = this.options.exploitShare ?? EXPLOIT_SHARE;
    if (this.asked < budget - Math.round(share * budget) || this.observations.length < this.initialTrials) return null;
    const model = this.fitModel();
    if (!model || model.posterior.noise < NOISY) return null;
    // Counted from the end, so that whatever the share, the last ask runs the minimizer.
    if ((this.options.exploit ?? 'alternate') === 'alternate' && (budget - this.asked) % 2 === 0) {
      const r = this.results.bestByModel(this.layout, model.posterior, model.warp);
      if (r && !this.pendingKeys().has(this.key(r.params))) return r.params;
    }
    return this.meanMinimizer(model);
  }

  /**
   * A point from the trust region around the recommended configuration, once the objective is
   * noisy, on every `localEvery`-th ask or in the last `localShare` of a known budget before
   * its exploitation. The global search's steps of a few hundredths are invisible under noise
   * (docs/PERFORMANCE.md, "Why the noisy search stays in a poor region"); here the box is never
   * narrower than a step the model expects to stand out of the noise, and EI is taken on the
   * least posterior mean, not on a lucky draw, so the proposals refine around what the model
   * believes best with evaluations whose differences it can see. The region grows or shrinks
   * by whether the earlier proposals' posterior means came out below their centre's.
   */
  private localProposal(): Params | null {
    const every = this.options.localEvery ?? 0;
    const share = this.options.localShare ?? 0;
    const budget = this.options.maxTrials;
    const byShare =
      budget !== undefined && share > 0 && this.asked >= budget - Math.round(((this.options.exploitShare ?? EXPLOIT_SHARE) + share) * budget);
    const byTurn = every > 0 && this.asksSinceLocal >= every;
    if (!(byShare || byTurn) || this.observations.length < this.initialTrials) return null;
    // A model can take misfit for noise (the warped fit on noiseless Branin); two runs of one
    // configuration that differ cannot, and re-evaluation provides them once noise is suspected.
    if (!this.results.replicatesDiffer) return null;
    const model = this.fitModel();
    if (!model || model.posterior.noise < NOISY) return null;
    // Noise this large against the signal hides a step of any length: nothing is local then.
    if (minimumStep(model.posterior.signal, model.posterior.noise, this.trustRegion.kappa) === Infinity) return null;
    for (const judged of this.localToJudge.splice(0)) {
      this.trustRegion.record(model.posterior.predict(judged.features).mean < model.posterior.predict(judged.center).mean);
    }
    const recommended = this.results.bestByModel(this.layout, model.posterior, model.warp);
    if (!recommended) return null;
    const center = encodeParams(this.layout, recommended.params);
    let leastMean = Infinity;
    for (const o of this.observations) leastMean = Math.min(leastMean, model.posterior.predict(o.features).mean);
    const box = this.trustRegion.box(this.layout, center, model.posterior);
    const near = this.trustRegion.shell ? withinStep(this.layout, center, model.posterior, this.trustRegion.kappa) : () => false;
    const isTaken = (features: Float64Array) => near(features) || this.seen.has(this.key(decodeFeatures(this.layout, features)));
    const x =
      this.options.localAcquisition === 'thompson'
        ? thompsonInBox(this.layout, box, this.believerPosterior(model), THOMPSON_POINTS, this.searchRng, isTaken)
        : maximizeAcquisition({
            space: this.options.space,
            layout: this.layout,
            posterior: this.believerPosterior(model),
            best: leastMean,
            incumbents: [center],
            isTaken,
            rng: this.searchRng,
            globalCandidates: 300,
            effort: Math.max(0.3, this.searchEffort()),
            box,
          });
    if (!x) return null;
    this.localCenter = center;
    return decodeFeatures(this.layout, x);
  }

  /** The configurations handed out and not yet told, by `key`. */
  private pendingKeys(): Set<string> {
    return new Set([...this.pending.values()].map((p) => this.key(p.params)));
  }

  /**
   * The point of the space with the least latent posterior mean, searched like the acquisition
   * from the evaluated points with the best means; never one that is pending (a second run of
   * a point already evaluated is allowed: it is a replicate).
   */
  private meanMinimizer(model: FittedModel): Params | null {
    const pending = this.pendingKeys();
    const means = this.observations.map((o) => ({ features: o.features, mean: model.posterior.predict(o.features).mean }));
    means.sort((a, b) => a.mean - b.mean);
    const x = maximizeAcquisition({
      space: this.options.space,
      layout: this.layout,
      posterior: model.posterior,
      best: model.best,
      incumbents: means.slice(0, 5).map((m) => m.features),
      isTaken: (features) => pending.has(this.key(decodeFeatures(this.layout, features))),
      rng: this.searchRng,
      globalCandidates: 300,
      criterion: (mean) => -mean,
    });
    return x ? decodeFeatures(this.layout, x) : null;
  }

  private suggest(): Params | null {
    if (this.finiteSize !== null && BigInt(this.seen.size) >= this.finiteSize) return null;
    const trials = this.observations.length + this.failed.length + this.pending.size;
    if (trials < this.initialTrials || this.observations.length < 2) {
      return this.fromDesign() ?? this.randomUnseen();
    }
    return this.suggestFromModel() ?? this.randomUnseen();
  }

  private fromDesign(): Params | null {
    if (!this.design) {
      const dims = this.layout.blocks.length;
      this.design = latinHypercube(this.initialTrials, dims, this.designRng).map((u) => fromUnitPoint(this.options.space, u));
    }
    while (this.designUsed < this.design.length) {
      const params = this.design[this.designUsed++];
      if (!this.seen.has(this.key(params))) return params;
    }
    return null;
  }

  private suggestFromModel(): Params | null {
    const model = this.fitModel();
    if (!model) return null;
    const posterior = this.believerPosterior(model);
    const best = model.best;
    const noisy = (this.options.noisyAcquisition ?? 'ei') === 'nei' && model.posterior.noise >= NOISY;
    const scoreAt = noisy ? (noisyExpectedImprovement(posterior, NEI_SAMPLES, this.searchRng.fork()) ?? undefined) : undefined;

    const effort = this.searchEffort();
    const x = maximizeAcquisition({
      space: this.options.space,
      layout: this.layout,
      posterior,
      best,
      incumbents: model.incumbents,
      isTaken: (features) => this.seen.has(this.key(decodeFeatures(this.layout, features))),
      rng: this.searchRng,
      globalCandidates: Math.round(Math.max(300, effort * Math.min(2000, 500 + 150 * this.layout.blocks.length))),
      effort: Math.max(0.3, effort),
      scoreAt,
    });
    return x ? decodeFeatures(this.layout, x) : null;
  }

  /**
   * Scoring a point costs O(n²): past 60 observations the acquisition search shrinks so an ask
   * stays within its latency budget (to no fewer than 300 global candidates and no less than
   * 30 % of the local search), a local-search ask as much as a global one.
   */
  private searchEffort(): number {
    return Math.min(1, (60 / this.observations.length) ** 1.5);
  }

  /**
   * The posterior conditioned on the pending and failed trials. Kriging believer, capped at the
   * incumbent: a pending trial is believed to return the posterior mean there, or the best
   * value so far if the mean promises better. Uncapped, a point the model expects to improve
   * leaves its neighbourhood attractive through the mean alone, and a batch collapses onto one
   * spot; capped, the next point must find its improvement elsewhere. A failed trial is
   * believed to be as bad as the worst result: failures in training are mostly divergence or
   * running out of memory, both caused by the parameters, so their neighbourhood should look
   * unpromising, not merely known.
   */
  private believerPosterior(model: FittedModel): GpPosterior {
    const pending = [...this.pending.values()].map((p) => p.features);
    const believedList = [...pending, ...this.failed];
    const dims = this.layout.width;
    const believed = new Float64Array(believedList.length * dims);
    const values = new Float64Array(believedList.length);
    believedList.forEach((f, i) => {
      believed.set(f, i * dims);
      values[i] = Math.max(model.posterior.predict(f).mean, i < pending.length ? model.best : model.worst);
    });
    return model.posterior.believe(believed, believedList.length, values);
  }

  private fitModel(): FittedModel | null {
    if (this.model) return this.model;
    const { data, warp } = surrogateData(this.layout, this.observations, { powerTransform: this.options.powerTransform });
    const posterior = this.fitter.fit(data);
    if (!posterior) return null;
    const y = data.y;
    // The incumbent from the posterior mean (the model's denoised view of the observed points)
    // made EI too exploitative on the noisy bench (docs/PERFORMANCE.md); kept as an ablation.
    const score = this.options.incumbent !== 'mean' ? y : Float64Array.from({ length: data.n }, (_, i) => posterior.predict(data.x, i * data.dims).mean);
    const order = Array.from({ length: data.n }, (_, i) => i).sort((a, b) => score[a] - score[b]);
    let worst = -Infinity;
    for (const v of y) worst = Math.max(worst, v);
    this.model = {
      posterior,
      warp,
      best: score[order[0]],
      worst,
      incumbents: order.slice(0, 5).map((i) => this.observations[i].features),
    };
    return this.model;
  }

  private randomUnseen(): Params | null {
    for (let draw = 0; draw < RANDOM_DRAWS; draw++) {
      const params = sampleParams(this.options.space, this.designRng);
      if (!this.seen.has(this.key(params))) return params;
    }
    // A nearly exhausted discrete space: list it, starting at a random place.
    if (this.finiteSize !== null && this.finiteSize <= ENUMERATION_LIMIT) {
      const axes = gridAxes(this.options.space);
      const start = BigInt(this.designRng.int(Number(this.finiteSize)));
      for (let i = 0n; i < this.finiteSize; i++) {
        const params = gridPoint(axes, (start + i) % this.finiteSize);
        if (!this.seen.has(this.key(params))) return params;
      }
    }
    return null;
  }

  private key(params: Params): string {
    return paramsKey(this.options.space, params);
  }
}
