import type { Rng } from '../rng';
import { logMarginalLikelihood, pairGroupDistances, type Covariance, type GpData, type Theta } from './gp';
import { minimizeBoxed } from './lbfgs';

/**
 * Normal priors on the log-hyperparameters, with hard bounds. Inputs live in the unit cube and
 * outputs are standardized, so one set of priors fits every problem:
 * - log ℓ ~ N(log(½√d), 1) for d parameters: the lengthscale grows with √d so the prior
 *   complexity of the function does not explode with the dimension (as in Hvarfner et al.'s
 *   dimension-scaled prior), but centred 8× shorter than theirs: with 20–60 trials their
 *   long-lengthscale prior made the model call a parameter linear and refine the boundary
 *   it pointed to, while the shorter one keeps exploring (docs/TUNER.md has the ablation).
 * - log σ²_f ~ N(0, 1.5): standardized outputs have unit variance, give or take.
 * - log σ²_n ~ N(−6, 3), floor 1e-6: noise is estimated, since training runs are noisy, but the
 *   prior leans towards an almost interpolating model; the floor keeps K well conditioned.
 */
export interface HyperPrior {
  mean: Float64Array;
  sd: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
  /** How many leading entries are log lengthscales (random starts spread them wider); the noise is always last. */
  lengthscales: number;
}

/**
 * A GP kernel with its hyperparameters' prior, the log marginal likelihood with its gradient,
 * and the covariance a posterior uses (absent: the Matérn ARD product `gp.ts` builds from θ).
 * The last hyperparameter is the log noise variance, as in the Matérn one.
 */
export interface KernelFamily {
  prior(data: GpData): HyperPrior;
  /** log p(y | θ) on `data`, its gradient into `grad` when given; −Infinity when K cannot be factored. */
  likelihood(data: GpData): (theta: Theta, grad?: Float64Array) => number;
  covariance?(data: GpData, theta: Theta): Covariance;
}

/** The Matérn ARD kernel with its priors (`hyperPrior`) and the noise variance floored at `noiseFloor` instead. */
export function maternKernel(noiseFloor: number): KernelFamily {
  return { prior: (data) => hyperPrior(data.groups, noiseFloor), likelihood: maternLikelihood };
}

export const NOISE_FLOOR = 1e-6;

export function hyperPrior(groups: number, noiseFloor = NOISE_FLOOR): HyperPrior {
  const size = groups + 2;
  const mean = new Float64Array(size);
  const sd = new Float64Array(size);
  const lower = new Float64Array(size);
  const upper = new Float64Array(size);
  const lengthMean = Math.log(0.5) + 0.5 * Math.log(Math.max(1, groups));
  for (let g = 0; g < groups; g++) {
    mean[g] = lengthMean;
    sd[g] = 1;
    lower[g] = Math.log(0.005);
    upper[g] = Math.log(500);
  }
  mean[groups] = 0;
  sd[groups] = 1.5;
  lower[groups] = Math.log(0.01);
  upper[groups] = Math.log(100);
  mean[groups + 1] = -6;
  sd[groups + 1] = 3;
  lower[groups + 1] = Math.log(noiseFloor);
  upper[groups + 1] = Math.log(2);
  return { mean, sd, lower, upper, lengthscales: groups };
}

/** Log prior density (up to a constant); adds its gradient into `grad` when given. */
export function logPrior(theta: Theta, prior: HyperPrior, grad?: Float64Array): number {
  let value = 0;
  for (let i = 0; i < theta.length; i++) {
    const z = (theta[i] - prior.mean[i]) / prior.sd[i];
    value -= 0.5 * z * z;
    if (grad) grad[i] -= z / prior.sd[i];
  }
  return value;
}

export interface FitOptions {
  rng: Rng;
  /** Last fit's hyperparameters: the data changed little, so this is usually a good start. */
  previous?: Theta;
  /** Also start from the prior's (shortened) mode. */
  fromPrior: boolean;
  /** Extra starts drawn from the prior, besides the previous fit and the prior's mode. */
  randomStarts: number;
  maxIterations: number;
  /** A kernel other than the Matérn ARD one. */
  family?: KernelFamily;
}

/**
 * Maximum a posteriori hyperparameters: log marginal likelihood plus log prior, maximized by
 * L-BFGS from several starts (the likelihood surface of a GP is often multimodal).
 */
export function fitHyperparameters(data: GpData, options: FitOptions): Theta {
  const { family } = options;
  const prior = family ? family.prior(data) : hyperPrior(data.groups);
  const likelihood = family ? family.likelihood(data) : maternLikelihood(data);
  const objective = (theta: Float64Array, grad: Float64Array): number => {
    const value = likelihood(theta, grad);
    if (!Number.isFinite(value)) return Infinity;
    const total = value + logPrior(theta, prior, grad);
    for (let i = 0; i < grad.length; i++) grad[i] = -grad[i];
    return -total;
  };

  const starts: Float64Array[] = [];
  if (options.previous && options.previous.length === prior.mean.length) starts.push(Float64Array.from(options.previous));
  const mode = Float64Array.from(prior.mean);
  // Starting at a moderate noise rather than the prior's mode keeps the first steps well conditioned.
  mode[mode.length - 1] = Math.log(1e-3);
  if (options.fromPrior || starts.length === 0) starts.push(mode);
  for (let s = 0; s < options.randomStarts; s++) {
    const theta = new Float64Array(prior.mean.length);
    for (let i = 0; i < theta.length; i++) {
      const draw = prior.mean[i] + prior.sd[i] * options.rng.normal() * (i < prior.lengthscales ? 0.7 : 0.5);
      theta[i] = Math.min(prior.upper[i], Math.max(prior.lower[i], draw));
    }
    starts.push(theta);
  }

  let best: { x: Float64Array; value: number } | null = null;
  for (const start of starts) {
    const result = minimizeBoxed(objective, start, { lower: prior.lower, upper: prior.upper, maxIterations: options.maxIterations });
    if (Number.isFinite(result.value) && (!best || result.value < best.value)) best = result;
  }
  return best ? best.x : mode;
}

function maternLikelihood(data: GpData): (theta: Theta, grad?: Float64Array) => number {
  const pairs = pairGroupDistances(data);
  return (theta, grad) => logMarginalLikelihood(theta, data, pairs, grad);
}
