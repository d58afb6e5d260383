import { encodeParams, encodingLayout, type EncodingLayout, type Params, type SearchSpace } from '../space';
import type { Theta } from './gp';
import { fitOutputWarp } from './warp';

/** A parameter's share of the GP's relevance, with the fitted lengthscale it comes from. */
export interface LengthscaleImportance {
  name: string;
  /** The fitted ARD lengthscale, in the unit-cube features the GP sees. */
  lengthscale: number;
  /** 1/lengthscale, normalized so that the parameters' importances sum to 1. */
  importance: number;
}

/**
 * Which hyperparameters matter, saying which method produced it and from how many results
 * (`results`: those the GP was fitted to, warm-start ones included, or those the variance was
 * taken over), so that a ranking from a handful reads as tentative. `fullBudget` is set under
 * Hyperband: the ranking is of the model at that many epochs (or of the results there), and the
 * budget itself is not ranked (it is what a run is given, not a choice of configuration).
 */
export type Importance =
  | { method: 'lengthscales'; parameters: LengthscaleImportance[]; results: number; fullBudget?: number }
  | { method: 'variance'; parameters: VarianceImportance[]; results: number; fullBudget?: number };

/** A parameter's share of the objective's variance, found without a model. */
export interface VarianceImportance {
  name: string;
  /** The bias-corrected share of variance this parameter alone explains (ε², in [0, 1]). */
  varianceExplained: number;
  /** varianceExplained normalized to sum to 1 over the parameters (all 0 when none explains any). */
  importance: number;
}

/**
 * Relevance from the GP's ARD lengthscales: importance ∝ 1/ℓ, normalized to sum to 1. Every
 * parameter is a feature in [0, 1] under its own scale (log, reverse-log, linear), so the
 * lengthscales are comparable across parameters: a short one means the objective changes
 * within a small part of the range. A categorical's one-hot block shares one lengthscale and
 * counts once; switching its category moves √2 in feature space where a numeric parameter
 * moves at most 1, which this ratio leaves as it is.
 */
export function lengthscaleImportance(layout: EncodingLayout, theta: Theta): LengthscaleImportance[] {
  const lengthscales = layout.blocks.map((_, group) => Math.exp(theta[group]));
  const total = lengthscales.reduce((sum, l) => sum + 1 / l, 0);
  return layout.blocks.map((block, group) => ({
    name: block.name,
    lengthscale: lengthscales[group],
    importance: 1 / lengthscales[group] / total,
  }));
}

const MIN_BINS = 2;
const MAX_BINS = 10;

/**
 * Importance for strategies that fit no GP (random, grid): the share of the objective's
 * variance each hyperparameter explains on its own, as in a one-way ANOVA per parameter.
 * Categoricals group by category; numeric parameters by quantile bins of their scaled value
 * (the unit-cube feature the GP would see), ⌊√n⌋ bins clamped to [2, 10], with equal values
 * always in one bin (an integer with three values gives at most three groups). The values
 * are the GP's warped outputs (standardized, Yeo-Johnson), so one diverged run does not carry
 * all of the variance. Each share is ε² = (SS_between − (k − 1)·MS_within) / SS_total, η²
 * corrected for the variance that k groups explain by chance (η² alone is about (k − 1)/(n − 1)
 * for a parameter that does nothing, which would favour parameters with more groups), clamped
 * at 0; a parameter whose groups leave no degrees of freedom within (k ≥ n) counts 0. Needs
 * at least 2 observations with finite values.
 */
export function importanceWithoutModel(space: SearchSpace, observations: readonly { params: Params; value: number }[]): VarianceImportance[] {
  const n = observations.length;
  if (n < 2) throw new RangeError(`Importance needs at least 2 observations, got ${n}.`);
  for (const o of observations) if (!Number.isFinite(o.value)) throw new RangeError(`Observation values must be finite, got ${o.value}.`);
  const layout = encodingLayout(space);
  const features = observations.map((o) => encodeParams(layout, o.params));
  const y = fitOutputWarp(observations.map((o) => o.value)).values;
  let total = 0;
  for (const v of y) total += v * v; // standardized: mean 0 (all 0 when the values are constant)
  const bins = Math.min(MAX_BINS, Math.max(MIN_BINS, Math.floor(Math.sqrt(n))));
  const shares = layout.blocks.map((block) => {
    const groups =
      block.kind === 'categorical'
        ? features.map((f) => f.subarray(block.offset, block.offset + block.width).indexOf(1))
        : quantileBins(
            features.map((f) => f[block.offset]),
            bins,
          );
    return total > 0 ? epsilonSquared(y, groups, total) : 0;
  });
  const sum = shares.reduce((a, b) => a + b, 0);
  return layout.blocks.map((block, i) => ({ name: block.name, varianceExplained: shares[i], importance: sum > 0 ? shares[i] / sum : 0 }));
}

/** Bin of each value: `bins` groups of nearly equal count by rank, equal values in one group. */
function quantileBins(values: number[], bins: number): number[] {
  const n = values.length;
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  const bin = new Array<number>(n);
  order.forEach((index, rank) => {
    const previous = rank > 0 ? order[rank - 1] : -1;
    bin[index] = previous >= 0 && values[previous] === values[index] ? bin[previous] : Math.floor((rank * bins) / n);
  });
  return bin;
}

/** ε² of a one-way ANOVA of `y` (mean 0, sum of squares `total`) by group label. */
function epsilonSquared(y: Float64Array, groups: number[], total: number): number {
  const sums = new Map<number, { sum: number; count: number }>();
  groups.forEach((g, i) => {
    const entry = sums.get(g) ?? { sum: 0, count: 0 };
    entry.sum += y[i];
    entry.count++;
    sums.set(g, entry);
  });
  const k = sums.size;
  const n = y.length;
  if (k < 2 || n - k < 1) return 0;
  let between = 0;
  for (const { sum, count } of sums.values()) between += (sum * sum) / count;
  const within = Math.max(0, total - between);
  return Math.min(1, Math.max(0, (between - ((k - 1) * within) / (n - k)) / total));
}
