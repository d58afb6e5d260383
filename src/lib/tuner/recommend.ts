import { encodeParams, paramsKey, type EncodingLayout, type Params, type SearchSpace } from '../space';
import { NOISE_FLOOR } from './fit';
import type { GpPosterior } from './gp';
import type { OutputWarp } from './warp';

/**
 * What a tuner recommends: the evaluated configuration it believes best. With a GP (bayesian)
 * that is the evaluated configuration with the best posterior mean, so a lucky draw of a
 * worse configuration is not taken for the best (the winner's curse); without one (random,
 * grid, or fewer than 2 results) it is the configuration with the best observed value.
 * See docs/TUNER.md, Recommendation.
 */
export interface Recommendation {
  params: Params;
  /** The id of the configuration's first trial; null for a warm-start observation (no id). */
  id: string | null;
  /** Mean of the values observed at this configuration, over its `runs` runs, in the objective's units. */
  observed: number;
  runs: number;
  /**
   * The model's prediction of the configuration's expected value (latent GP mean mapped back
   * through the output warp) and its σ, half the width of the mapped [μ − σ, μ + σ] band
   * (the warp is nonlinear). Null when the recommendation is model-free (`basis: 'observed'`).
   */
  mean: number | null;
  sd: number | null;
  basis: 'model' | 'observed';
}

/** How many noise σ above the best observed value a configuration may be observed and still be recommended. */
const CANDIDATE_NOISE = 4;

/** One evaluated configuration and its runs. */
interface Configuration {
  params: Params;
  id: string | null;
  sum: number;
  runs: number;
  /** The first run's value, to tell whether later runs differed from it. */
  first: number;
}

/**
 * The results a strategy has seen, grouped by configuration (re-runs of one point are one
 * configuration with several runs). Values are in the objective's own units and direction.
 */
export class ObservedConfigurations {
  private readonly byKey = new Map<string, Configuration>();
  private differed = false;

  constructor(
    private readonly space: SearchSpace,
    private readonly sign: 1 | -1,
  ) {}

  /** A finite result at `params` (ignored otherwise: a failure has no value to average). */
  add(params: Params, value: number, id: string | null = null): void {
    if (!Number.isFinite(value)) return;
    const key = paramsKey(this.space, params);
    const known = this.byKey.get(key);
    if (known) {
      known.sum += value;
      known.runs++;
      if (value !== known.first) this.differed = true;
    } else {
      this.byKey.set(key, { params, id, sum: value, runs: 1, first: value });
    }
  }

  /** Whether two runs of one configuration gave different values: direct evidence of noise. */
  get replicatesDiffer(): boolean {
    return this.differed;
  }

  get size(): number {
    return this.byKey.size;
  }

  /** The configuration with the best mean observed value (goal-aware; first seen on ties); null before any result. */
  bestObserved(): Recommendation | null {
    let best: Configuration | null = null;
    for (const c of this.byKey.values()) if (!best || this.sign * (c.sum / c.runs) < this.sign * (best.sum / best.runs)) best = c;
    return best && { ...describe(best), mean: null, sd: null, basis: 'observed' };
  }

  /**
   * The configuration with the best latent posterior mean, from a GP fitted to these results
   * (oriented for minimization and warped by `warp`, as `surrogateData` builds them). The warp
   * is increasing, so comparing in the GP's units orders the configurations as the objective
   * does. Only configurations observed within CANDIDATE_NOISE noise σ of the best observed
   * compete: a lucky draw lies a few σ below its truth, so the truly best configuration is
   * among them, while on a noiseless objective (σ at its floor) the set shrinks to the best
   * observed, which is then exact, and a model that mistook misfit for noise cannot overrule it.
   * Null before any result.
   */
  bestByModel(layout: EncodingLayout, posterior: GpPosterior, warp: OutputWarp): Recommendation | null {
    const configurations = [...this.byKey.values()];
    if (configurations.length === 0) return null;
    const oriented = (c: Configuration) => (this.sign * c.sum) / c.runs;
    const bestObserved = Math.min(...configurations.map(oriented));
    const lowest = Math.min(...warp.values);
    // A noise variance at its floor (NOISE_FLOOR, kept for conditioning) means no noise at all.
    const noiseSd = posterior.noise > 2 * NOISE_FLOOR ? Math.sqrt(posterior.noise) : 0;
    const tolerance = warp.inverse(lowest + CANDIDATE_NOISE * noiseSd) - warp.inverse(lowest);
    const features = new Float64Array(layout.width);
    let best: { c: Configuration; mean: number; variance: number } | null = null;
    for (const c of configurations) {
      if (oriented(c) > bestObserved + tolerance) continue;
      const { mean, variance } = posterior.predict(encodeParams(layout, c.params, features));
      if (!best || mean < best.mean) best = { c, mean, variance };
    }
    if (!best) return null;
    const sd = Math.sqrt(best.variance);
    const low = warp.inverse(best.mean - sd);
    const high = warp.inverse(best.mean + sd);
    return { ...describe(best.c), mean: this.sign * warp.inverse(best.mean), sd: Math.abs(high - low) / 2, basis: 'model' };
  }
}

function describe(c: Configuration): Pick<Recommendation, 'params' | 'id' | 'observed' | 'runs'> {
  return { params: c.params, id: c.id, observed: c.sum / c.runs, runs: c.runs };
}
