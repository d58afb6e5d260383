/**
 * Limited-memory BFGS for small box-bounded problems (GP hyperparameters): the step is
 * projected onto the box, and a backtracking (Armijo) line search keeps every accepted step
 * a decrease, which is all a handful of well-scaled log-hyperparameters needs.
 */

export interface MinimizeOptions {
  lower: Float64Array;
  upper: Float64Array;
  maxIterations: number;
  /** Memory of curvature pairs. */
  memory?: number;
}

/** `f` returns the value and writes the gradient into its second argument. */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

export function minimizeBoxed(f: Objective, start: Float64Array, options: MinimizeOptions): { x: Float64Array; value: number } {
  const dim = start.length;
  const memory = options.memory ?? 6;
  const x = project(Float64Array.from(start), options);
  const grad = new Float64Array(dim);
  let value = f(x, grad);
  if (!Number.isFinite(value)) return { x, value };

  const sHistory: Float64Array[] = [];
  const yHistory: Float64Array[] = [];
  const direction = new Float64Array(dim);
  const trial = new Float64Array(dim);
  const trialGrad = new Float64Array(dim);

  for (let iteration = 0; iteration < options.maxIterations; iteration++) {
    computeDirection(grad, sHistory, yHistory, direction);
    // Coordinates pinned at a bound with the gradient pushing outward cannot move.
    for (let i = 0; i < dim; i++) {
      if ((x[i] <= options.lower[i] && direction[i] < 0) || (x[i] >= options.upper[i] && direction[i] > 0)) direction[i] = 0;
    }
    let slope = dot(grad, direction);
    if (!(slope < 0)) {
      // Curvature history gone stale: restart from steepest descent.
      sHistory.length = 0;
      yHistory.length = 0;
      for (let i = 0; i < dim; i++) {
        direction[i] = -grad[i];
        if ((x[i] <= options.lower[i] && direction[i] < 0) || (x[i] >= options.upper[i] && direction[i] > 0)) direction[i] = 0;
      }
      slope = dot(grad, direction);
      if (!(slope < 0)) break;
    }
    let step = sHistory.length === 0 ? Math.min(1, 1 / Math.sqrt(dot(direction, direction))) : 1;
    let accepted = false;
    let trialValue = value;
    for (let halving = 0; halving < 30; halving++) {
      for (let i = 0; i < dim; i++) trial[i] = x[i] + step * direction[i];
      project(trial, options);
      trialValue = f(trial, trialGrad);
      let actual = 0;
      for (let i = 0; i < dim; i++) actual += grad[i] * (trial[i] - x[i]);
      if (Number.isFinite(trialValue) && trialValue <= value + 1e-4 * Math.min(actual, 0)) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) break;
    const s = new Float64Array(dim);
    const y = new Float64Array(dim);
    for (let i = 0; i < dim; i++) {
      s[i] = trial[i] - x[i];
      y[i] = trialGrad[i] - grad[i];
    }
    if (dot(s, y) > 1e-12) {
      sHistory.push(s);
      yHistory.push(y);
      if (sHistory.length > memory) {
        sHistory.shift();
        yHistory.shift();
      }
    }
    const improvement = value - trialValue;
    x.set(trial);
    grad.set(trialGrad);
    value = trialValue;
    if (improvement < 1e-9 * (1 + Math.abs(value))) break;
  }
  return { x, value };
}

/** Two-loop recursion: direction = −H∇f with H the L-BFGS inverse-Hessian estimate. */
function computeDirection(grad: Float64Array, sHistory: Float64Array[], yHistory: Float64Array[], out: Float64Array): void {
  for (let i = 0; i < grad.length; i++) out[i] = -grad[i];
  const m = sHistory.length;
  const alphas = new Float64Array(m);
  for (let k = m - 1; k >= 0; k--) {
    const rho = 1 / dot(yHistory[k], sHistory[k]);
    alphas[k] = rho * dot(sHistory[k], out);
    axpy(-alphas[k], yHistory[k], out);
  }
  if (m > 0) {
    const gamma = dot(sHistory[m - 1], yHistory[m - 1]) / dot(yHistory[m - 1], yHistory[m - 1]);
    for (let i = 0; i < out.length; i++) out[i] *= gamma;
  }
  for (let k = 0; k < m; k++) {
    const rho = 1 / dot(yHistory[k], sHistory[k]);
    const beta = rho * dot(yHistory[k], out);
    axpy(alphas[k] - beta, sHistory[k], out);
  }
}

function project(x: Float64Array, options: MinimizeOptions): Float64Array {
  for (let i = 0; i < x.length; i++) x[i] = Math.min(options.upper[i], Math.max(options.lower[i], x[i]));
  return x;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i] += a * x[i];
}
