import type { Rng } from '../rng';
import { fromUnit, toUnit, type EncodingLayout, type SearchSpace } from '../space';
import { maximizeAcquisition, type FeatureBox } from './acquisition';
import type { GpPosterior } from './gp';
import { surrogateData, SurrogateFitter, type SurrogateObservation } from './surrogate';

/** Side of the box, relative to the lengthscale-weighted unit cube, when the region starts or restarts. */
const INITIAL_SIDE = Number(process.env.LB_L0 ?? 0.2);
const MIN_SIDE = Number(process.env.LB_LMIN ?? 2 ** -10);
const MAX_SIDE = Number(process.env.LB_LMAX ?? 0.8);
/** Consecutive results that beat (or fail to beat) the best before the box doubles (halves). */
const SUCCESSES = Number(process.env.LB_SUCC ?? 2);
const FAILURES = Number(process.env.LB_FAIL ?? 2);
/** Fewest full-budget results the local GP is fitted to. */
const MIN_POINTS = 3;
const LOCAL_DATA = process.env.LB_DATA ?? 'all';

/**
 * A trust region around the incumbent at the full budget (TuRBO's box, Eriksson et al. 2019,
 * adapted to a handful of runs): a GP fitted to full-budget results alone, EI maximized inside
 * a box centred on the best of them, the box doubling after SUCCESSES results in a row that
 * beat the best and halving after FAILURES that did not. Below MIN_SIDE the region has
 * collapsed: it proposes nothing until the incumbent moves, then starts again at INITIAL_SIDE.
 */
export class TrustRegion {
  private readonly results: SurrogateObservation[] = [];
  private readonly fitter: SurrogateFitter;
  private side = INITIAL_SIDE;
  private successes = 0;
  private failures = 0;
  /** The centre the box collapsed at, if it did: nothing is proposed while the best is still there. */
  private collapsedAt: Float64Array | null = null;

  constructor(
    private readonly space: SearchSpace,
    private readonly layout: EncodingLayout,
    private readonly rng: Rng,
  ) {
    this.fitter = new SurrogateFitter(rng.fork());
  }

  get size(): number {
    return this.results.length;
  }

  get sideLength(): number {
    return this.side;
  }

  /** A full-budget result (oriented: lower is better); `proposed` when this region proposed it, so it counts for the box. */
  add(features: Float64Array, value: number, proposed: boolean): void {
    const best = this.best();
    this.results.push({ features, value });
    if (!proposed || best === null) return;
    if (value < best.value) {
      this.successes++;
      this.failures = 0;
    } else {
      this.failures++;
      this.successes = 0;
    }
    if (this.successes >= SUCCESSES) {
      this.side = Math.min(MAX_SIDE, 2 * this.side);
      this.successes = 0;
    } else if (this.failures >= FAILURES) {
      this.side /= 2;
      this.failures = 0;
      if (this.side < MIN_SIDE) this.collapsedAt = this.best()!.features;
    }
  }

  /**
   * The configuration (features) with the best EI inside the box around the best full-budget
   * result, `pending` (features) believed at max(μ, best); null before MIN_POINTS results, while
   * collapsed, or without a fit.
   */
  propose(pending: Float64Array[], isTaken: (features: Float64Array) => boolean): Float64Array | null {
    const best = this.best();
    if (!best || this.results.length < MIN_POINTS) return null;
    if (this.collapsedAt) {
      if (sameFeatures(this.collapsedAt, best.features)) return null;
      this.collapsedAt = null;
      this.side = INITIAL_SIDE;
      this.successes = 0;
      this.failures = 0;
    }
    const posterior0 = this.fitLocal(best.features);
    if (!posterior0) return null;
    const box = this.box(best.features, posterior0);
    const dims = this.layout.width;
    const inside = pending.filter((f) => within(f, box));
    const believed = new Float64Array(inside.length * dims);
    inside.forEach((f, i) => believed.set(f, i * dims));
    const incumbent = this.incumbentMean(posterior0);
    const values = Float64Array.from(inside, (f) => Math.max(posterior0.predict(f).mean, incumbent));
    const posterior = inside.length > 0 ? posterior0.believe(believed, inside.length, values) : posterior0;
    return maximizeAcquisition({
      space: this.space,
      layout: this.layout,
      posterior,
      best: incumbent,
      incumbents: [best.features],
      isTaken,
      rng: this.rng,
      globalCandidates: 300,
      region: box,
    });
  }

  /** Whether `features` lie within `radius` (max norm over numeric features, same categories) of the best full-budget result. */
  near(features: Float64Array, radius: number): boolean {
    const best = this.best();
    if (!best) return false;
    for (const b of this.layout.blocks) {
      if (b.kind === 'categorical') {
        for (let k = 0; k < b.width; k++) if (features[b.offset + k] !== best.features[b.offset + k]) return false;
      } else if (Math.abs(features[b.offset] - best.features[b.offset]) > radius) return false;
    }
    return true;
  }

  /**
   * EI inside the box spanned by the `k` full-budget results nearest the best (same categories),
   * from a GP fitted to them alone in the box's own coordinates (each numeric feature mapped so
   * the box is the unit cube) with their values standardized among themselves.
   */
  proposeNearest(k: number, pending: Float64Array[], isTaken: (features: Float64Array) => boolean, widen = 1): Float64Array | null {
    const best = this.best();
    if (!best) return null;
    const numeric = this.layout.blocks.filter((b) => b.kind !== 'categorical').map((b) => b.offset);
    const sameCats = (f: Float64Array) => this.layout.blocks.every((b) => b.kind !== 'categorical' || Array.from({ length: b.width }, (_, j) => f[b.offset + j] === best.features[b.offset + j]).every(Boolean));
    const candidates = this.results.filter((r) => sameCats(r.features));
    const ranked = candidates.sort((a, b) => maxDistance(a.features, best.features, numeric) - maxDistance(b.features, best.features, numeric)).slice(0, k);
    if (ranked.length < k) return null;
    const lower = Float64Array.from(best.features);
    const upper = Float64Array.from(best.features);
    for (const f of numeric) {
      const h = Math.max(1e-4, widen * Math.max(...ranked.map((r) => Math.abs(r.features[f] - best.features[f]))));
      lower[f] = Math.max(0, best.features[f] - h);
      upper[f] = Math.min(1, best.features[f] + h);
    }
    const toLocal = (x: Float64Array, out: Float64Array, offset = 0) => {
      for (let f = 0; f < this.layout.width; f++) {
        const span = upper[f] - lower[f];
        out[f] = span > 0 ? (x[offset + f] - lower[f]) / span : x[offset + f];
      }
      return out;
    };
    const local = ranked.map((r) => ({ features: toLocal(r.features, new Float64Array(this.layout.width)), value: r.value }));
    const fitter = new SurrogateFitter(this.rng.fork());
    const posterior0 = fitter.fit(surrogateData(this.layout, local).data);
    if (!posterior0) return null;
    const incumbent = this.incumbentMean(posterior0);
    const inside = pending.filter((f) => within(f, { lower, upper })).map((f) => toLocal(f, new Float64Array(this.layout.width)));
    const dims = this.layout.width;
    const believed = new Float64Array(inside.length * dims);
    inside.forEach((f, i) => believed.set(f, i * dims));
    const values = Float64Array.from(inside, (f) => Math.max(posterior0.predict(f).mean, incumbent));
    const posterior = inside.length > 0 ? posterior0.believe(believed, inside.length, values) : posterior0;
    const scratch = new Float64Array(dims);
    const mode = process.env.LB_CRIT ?? 'ei';
    return maximizeAcquisition({
      space: this.space,
      layout: this.layout,
      posterior: { predict: (x: Float64Array, offset = 0) => posterior.predict(toLocal(x, scratch, offset)) },
      best: incumbent,
      incumbents: [best.features],
      isTaken,
      rng: this.rng,
      globalCandidates: 300,
      region: { lower, upper },
      criterion: mode === 'mean' ? (mean: number) => -mean : undefined,
    });
  }

  private best(): SurrogateObservation | null {
    let best: SurrogateObservation | null = null;
    for (const r of this.results) if (!best || r.value < best.value) best = r;
    return best;
  }

  private fitLocal(centre: Float64Array): GpPosterior | null {
    let data = this.results;
    if (LOCAL_DATA === 'near') {
      // The nearest results only: standardized among themselves, the differences near the optimum are the model's whole scale.
      const k = Number(process.env.LB_K ?? 10);
      data = [...this.results].sort((a, b) => distance(a.features, centre) - distance(b.features, centre)).slice(0, k);
    }
    return this.fitter.fit(surrogateData(this.layout, data).data);
  }

  /** Best posterior mean over the data: the incumbent EI improves on (the best observation's, without noise). */
  private incumbentMean(posterior: GpPosterior): number {
    const { points, dims, observed } = posterior.conditionedOn;
    let best = Infinity;
    for (let i = 0; i < observed; i++) best = Math.min(best, posterior.predict(points, i * dims).mean);
    return best;
  }

  /**
   * TuRBO's box: side·wᵢ per numeric feature, wᵢ the lengthscale over their geometric mean, so
   * the box is long where the function changes slowly; clipped to the unit cube; integers
   * widened to whole values; categoricals held at the centre's.
   */
  private box(centre: Float64Array, posterior: GpPosterior): FeatureBox {
    return this.boxAround(centre, posterior.theta, this.side);
  }

  boxAround(centre: Float64Array, logLengthscales: Float64Array, side: number): FeatureBox {
    const lower = new Float64Array(this.layout.width);
    const upper = new Float64Array(this.layout.width);
    const numeric = this.layout.blocks.map((b, i) => ({ b, i })).filter(({ b }) => b.kind !== 'categorical');
    const logs = numeric.map(({ i }) => logLengthscales[i]);
    const meanLog = logs.reduce((a, b) => a + b, 0) / Math.max(1, logs.length);
    numeric.forEach(({ b }, k) => {
      const half = (side * Math.exp(logs[k] - meanLog)) / 2;
      const f = b.offset;
      lower[f] = Math.max(0, centre[f] - half);
      upper[f] = Math.min(1, centre[f] + half);
      if (b.kind === 'integer') {
        const lo = Math.floor(fromUnit(lower[f], b.min, b.max, b.scale) + 1e-9);
        const hi = Math.ceil(fromUnit(upper[f], b.min, b.max, b.scale) - 1e-9);
        lower[f] = toUnit(Math.max(b.min, lo), b.min, b.max, b.scale);
        upper[f] = toUnit(Math.min(b.max, hi), b.min, b.max, b.scale);
      }
    });
    for (const b of this.layout.blocks) {
      if (b.kind !== 'categorical') continue;
      for (let k = 0; k < b.width; k++) lower[b.offset + k] = upper[b.offset + k] = centre[b.offset + k];
    }
    return { lower, upper };
  }
}

function within(f: Float64Array, box: FeatureBox): boolean {
  for (let i = 0; i < f.length; i++) if (f[i] < box.lower[i] - 1e-12 || f[i] > box.upper[i] + 1e-12) return false;
  return true;
}

function sameFeatures(a: Float64Array, b: Float64Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function distance(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s;
}

function maxDistance(a: Float64Array, b: Float64Array, features: number[]): number {
  let d = 0;
  for (const f of features) d = Math.max(d, Math.abs(a[f] - b[f]));
  return d;
}
