import type { Params, SearchSpace } from '../../src/lib/space';

/**
 * A benchmark problem: a space, an objective to minimize, its known minimum and a trial budget.
 * With `noise`, the optimizer sees each value plus Gaussian noise of that σ (`run.ts`), while
 * regret is measured on `evaluate`, the noiseless value.
 */
export interface BenchFunction {
  name: string;
  space: SearchSpace;
  evaluate: (params: Params) => number;
  minimum: number;
  budget: number;
  noise?: number;
}

const num = (params: Params, name: string): number => params[name] as number;

export const branin: BenchFunction = {
  name: 'Branin',
  space: { x1: { type: 'continuous', min: -5, max: 10, scale: 'linear' }, x2: { type: 'continuous', min: 0, max: 15, scale: 'linear' } },
  evaluate: (p) => {
    const x1 = num(p, 'x1');
    const x2 = num(p, 'x2');
    const b = 5.1 / (4 * Math.PI ** 2);
    const c = 5 / Math.PI;
    const t = 1 / (8 * Math.PI);
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
  },
  minimum: 0.397887,
  budget: 30,
};

const H3_A = [[3, 10, 30], [0.1, 10, 35], [3, 10, 30], [0.1, 10, 35]];
const H3_P = [[0.3689, 0.117, 0.2673], [0.4699, 0.4387, 0.747], [0.1091, 0.8732, 0.5547], [0.03815, 0.5743, 0.8828]];
const H6_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const H6_P = [
  [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
  [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
  [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.665],
  [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
];
const ALPHA = [1, 1.2, 3, 3.2];

function hartmann(x: number[], a: number[][], p: number[][]): number {
  let total = 0;
  for (let i = 0; i < 4; i++) {
    let inner = 0;
    for (let j = 0; j < x.length; j++) inner += a[i][j] * (x[j] - p[i][j]) ** 2;
    total -= ALPHA[i] * Math.exp(-inner);
  }
  return total;
}

const unitSpace = (d: number): SearchSpace =>
  Object.fromEntries(Array.from({ length: d }, (_, i) => [`x${i + 1}`, { type: 'continuous', min: 0, max: 1, scale: 'linear' }]));

export const hartmann3: BenchFunction = {
  name: 'Hartmann3',
  space: unitSpace(3),
  evaluate: (p) => hartmann([1, 2, 3].map((i) => num(p, `x${i}`)), H3_A, H3_P),
  // To 15 digits (a compass search from the published location): regrets near 1e-6 depend on it.
  minimum: -3.86278214782076,
  budget: 40,
};

export const hartmann6: BenchFunction = {
  name: 'Hartmann6',
  space: unitSpace(6),
  evaluate: (p) => hartmann([1, 2, 3, 4, 5, 6].map((i) => num(p, `x${i}`)), H6_A, H6_P),
  minimum: -3.32236801141551,
  budget: 60,
};

/**
 * A mixed space shaped like a training job: log-scaled learning rate and weight decay, a
 * reverse-log momentum, an integer batch size on a log scale, an integer depth and two
 * categoricals whose effects interact with the continuous ones. Smooth in the continuous
 * parameters, with a known minimum of 0.
 */
export const mixedTraining: BenchFunction = {
  name: 'MixedTraining',
  space: {
    lr: { type: 'continuous', min: 1e-5, max: 1, scale: 'log' },
    wd: { type: 'continuous', min: 1e-6, max: 1e-1, scale: 'log' },
    momentum: { type: 'continuous', min: 0.5, max: 0.999, scale: 'reverse-log' },
    batch: { type: 'integer', min: 16, max: 512, scale: 'log' },
    depth: { type: 'integer', min: 1, max: 8, scale: 'linear' },
    optimizer: { type: 'categorical', values: ['sgd', 'adam', 'rmsprop'] },
    schedule: { type: 'categorical', values: ['constant', 'cosine', 'step', 'linear'] },
  },
  evaluate: (p) => {
    const opt = p.optimizer as string;
    // Adam wants a smaller learning rate than SGD: the optimum moves with the category.
    const lrBest = opt === 'sgd' ? -1.3 : opt === 'adam' ? -3.2 : -2.7;
    const lr = Math.log10(num(p, 'lr'));
    const wd = Math.log10(num(p, 'wd'));
    const mom = -Math.log10(1 - num(p, 'momentum'));
    const batch = Math.log2(num(p, 'batch'));
    const depth = num(p, 'depth');
    const schedulePenalty = { constant: 0.6, cosine: 0, step: 0.2, linear: 0.1 }[p.schedule as string] ?? 1;
    const optPenalty = opt === 'sgd' ? 0 : opt === 'adam' ? 0.15 : 0.4;
    return (
      0.8 * (lr - lrBest - 0.3 * (batch - 7)) ** 2 +
      0.3 * (wd + 4) ** 2 +
      (opt === 'sgd' ? 1.5 * (mom - 1.5) ** 2 : 0.2 * (mom - 1) ** 2) +
      0.15 * (depth - 5) ** 2 +
      schedulePenalty +
      optPenalty
    );
  },
  minimum: 0,
  budget: 50,
};

/** Ackley in 5-d on [-5, 10]^5 (shifted): multimodal with a narrow global basin. */
export const ackley5: BenchFunction = {
  name: 'Ackley5',
  space: Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`x${i + 1}`, { type: 'continuous', min: -5, max: 10, scale: 'linear' }])),
  evaluate: (p) => {
    const x = [1, 2, 3, 4, 5].map((i) => num(p, `x${i}`) - 1);
    const d = x.length;
    const s1 = x.reduce((s, v) => s + v * v, 0) / d;
    const s2 = x.reduce((s, v) => s + Math.cos(2 * Math.PI * v), 0) / d;
    return -20 * Math.exp(-0.2 * Math.sqrt(s1)) - Math.exp(s2) + 20 + Math.E;
  },
  minimum: 0,
  budget: 60,
};

/**
 * Noisy versions: like two training runs of one recipe, two evaluations of one point differ.
 * Each σ is a few percent of the function's spread over its space, large next to the
 * differences between good points, as 0.1–0.3 points of accuracy are between good recipes.
 */
const noisy = (fn: BenchFunction, noise: number): BenchFunction => ({ ...fn, name: `Noisy${fn.name}`, noise });
export const noisyBranin = noisy(branin, 3);
export const noisyHartmann3 = noisy(hartmann3, 0.1);
export const noisyHartmann6 = noisy(hartmann6, 0.1);
export const noisyMixedTraining = noisy(mixedTraining, 0.2);
