import type { Rng } from '../rng';
import { decodeFeatures, encodeParams, fromUnitPoint, snapFeatures, toUnit, type EncodingLayout, type SearchSpace } from '../space';
import { scrambledHalton } from './design';
import type { GpPosterior } from './gp';
import { logExpectedImprovement } from './normal';

/** What the acquisition needs of a model: the latent posterior at a feature vector. */
export type Predictor = Pick<GpPosterior, 'predict'>;

export interface AcquisitionProblem {
  space: SearchSpace;
  layout: EncodingLayout;
  posterior: Predictor;
  /** Incumbent value in the GP's (transformed, minimized) units. */
  best: number;
  /** Feature vectors of the best observations so far, best first: where local candidates start. */
  incumbents: Float64Array[];
  /** Is this encoded point already finished, pending, or chosen? */
  isTaken: (features: Float64Array) => boolean;
  rng: Rng;
  /** Quasi-random candidates over the whole space. */
  globalCandidates: number;
  /** Fraction (0, 1] of the full local-search effort: fewer starts and a smaller budget. */
  effort?: number;
  /**
   * What is maximized at a point, from the latent mean and σ there; default log expected
   * improvement on `best`. The Bayesian strategy's exploitation minimizes the mean instead.
   */
  criterion?: (mean: number, sd: number) => number;
  /** What is maximized at a feature vector, when it needs more of the model than the mean and σ there (noisy EI); overrides `criterion`. */
  scoreAt?: (features: Float64Array) => number;
}

const LOCAL_PER_INCUMBENT = 40;
const LOCAL_SCALES = [0.005, 0.02, 0.08, 0.25];
const REFINED_STARTS = 5;
const MIN_STEP = 1e-5;

/**
 * Maximizes log expected improvement (or `criterion`) over the mixed space: many quasi-random
 * points plus perturbations of the incumbents, then a compass search from the best few:
 * continuous features move by an adaptive step, integers by ±1, categoricals try every other value.
 * Returns the best point not already taken, or null if every scored point was taken.
 */
export function maximizeAcquisition(problem: AcquisitionProblem): Float64Array | null {
  const { layout, rng } = problem;
  const effort = problem.effort ?? 1;
  const criterion = problem.criterion ?? ((mean: number, sd: number) => logExpectedImprovement(mean, sd, problem.best));
  const scoreAt = problem.scoreAt;
  const score = (x: Float64Array): number => {
    let value: number;
    if (scoreAt) value = scoreAt(x);
    else {
      const { mean, variance } = problem.posterior.predict(x);
      value = criterion(mean, Math.sqrt(variance));
    }
    return Number.isNaN(value) ? -Infinity : value;
  };

  const candidates: { x: Float64Array; value: number }[] = [];
  for (const unit of scrambledHalton(problem.globalCandidates, Object.keys(problem.space).length, rng)) {
    const x = encodeParams(layout, fromUnitPoint(problem.space, unit));
    candidates.push({ x, value: score(x) });
  }
  problem.incumbents.forEach((incumbent) => {
    for (let i = 0; i < Math.round(LOCAL_PER_INCUMBENT * effort); i++) {
      const x = perturb(layout, incumbent, LOCAL_SCALES[i % LOCAL_SCALES.length], rng);
      candidates.push({ x, value: score(x) });
    }
  });
  candidates.sort((a, b) => b.value - a.value);

  const refined: { x: Float64Array; value: number }[] = [];
  const startKeys = new Set<string>();
  for (const candidate of candidates) {
    if (refined.length >= Math.max(2, Math.round(REFINED_STARTS * effort))) break;
    const key = candidate.x.join(',');
    if (startKeys.has(key)) continue;
    startKeys.add(key);
    refined.push(compassSearch(layout, candidate.x, candidate.value, score, problem.isTaken, effort));
  }
  const ranked = [...refined, ...candidates].sort((a, b) => b.value - a.value);
  for (const { x } of ranked) if (!problem.isTaken(x)) return x;
  return null;
}

/** A copy of `x` moved by Gaussian noise on numeric features; a categorical is redrawn now and then. */
function perturb(layout: EncodingLayout, x: Float64Array, scale: number, rng: Rng): Float64Array {
  const out = Float64Array.from(x);
  const flipChance = 1 / Math.max(2, layout.blocks.length);
  for (const block of layout.blocks) {
    if (block.kind === 'categorical') {
      if (block.width > 1 && rng.next() < flipChance) {
        out.fill(0, block.offset, block.offset + block.width);
        out[block.offset + rng.int(block.width)] = 1;
      }
    } else {
      out[block.offset] += scale * rng.normal();
    }
  }
  return snapFeatures(layout, out);
}

/**
 * Gradient-free local ascent. Continuous steps double after a success and halve after a
 * sweep without one; the search ends when every step is below MIN_STEP or the budget is spent.
 * Taken points are stepped over rather than accepted, so the result is always new.
 */
function compassSearch(
  layout: EncodingLayout,
  start: Float64Array,
  startValue: number,
  score: (x: Float64Array) => number,
  isTaken: (x: Float64Array) => boolean,
  effort: number,
): { x: Float64Array; value: number } {
  let x: Float64Array = Float64Array.from(start);
  let value = startValue;
  const steps = layout.blocks.map((block): number => (block.kind === 'continuous' ? 0.05 : 0));
  const budget = Math.round(effort * (40 + 25 * layout.blocks.length));
  let evaluations = 0;
  const tryMove = (candidate: Float64Array): boolean => {
    evaluations++;
    const v = score(candidate);
    if (v > value && !isTaken(candidate)) {
      x = candidate;
      value = v;
      return true;
    }
    return false;
  };

  while (evaluations < budget) {
    let improved = false;
    layout.blocks.forEach((block, b) => {
      if (block.kind === 'continuous') {
        for (const sign of [1, -1]) {
          const candidate = Float64Array.from(x);
          candidate[block.offset] = Math.min(1, Math.max(0, x[block.offset] + sign * steps[b]));
          if (candidate[block.offset] !== x[block.offset] && tryMove(candidate)) {
            improved = true;
            steps[b] = Math.min(0.25, steps[b] * 2);
            break;
          }
        }
      } else if (block.kind === 'integer') {
        const current = decodeFeatures(layout, x)[block.name] as number;
        for (const next of [current + 1, current - 1]) {
          if (next < block.min || next > block.max) continue;
          const candidate = Float64Array.from(x);
          candidate[block.offset] = toUnit(next, block.min, block.max, block.scale);
          if (tryMove(candidate)) {
            improved = true;
            break;
          }
        }
      } else {
        for (let k = 0; k < block.width; k++) {
          if (x[block.offset + k] === 1) continue;
          const candidate = Float64Array.from(x);
          candidate.fill(0, block.offset, block.offset + block.width);
          candidate[block.offset + k] = 1;
          if (tryMove(candidate)) improved = true;
        }
      }
    });
    if (!improved) {
      let largest = 0;
      layout.blocks.forEach((block, b) => {
        if (block.kind === 'continuous') {
          steps[b] /= 2;
          largest = Math.max(largest, steps[b]);
        }
      });
      if (largest < MIN_STEP) break;
    }
  }
  return { x, value };
}
