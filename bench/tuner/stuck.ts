/**
 * Where the Bayesian search on Hartmann6 ends up with and without noise (issue 13: the noisy
 * search that stays in a poor region). Usage: npm run bench:tuner-stuck [-- --seeds 40
 * --trace SEED --noise-from N --noise-until N] plus the search variant flags of variant.ts.
 * Summary (default), per function, Hartmann6 and NoisyHartmann6 (σ 0.1), 60 trials, two
 * pending, told the budget: on how many seeds the truly best evaluated configuration is still
 * more than 1 above the minimum at trial 30 and at the end (Hartmann6's values run from 0 to
 * −3.32; a regret above 1 means the run never reached the global basin); the share of asks
 * after trial 10 with a coordinate exactly at a bound; the share of asks that run an evaluated
 * configuration again (re-evaluation, exploitation); and, from a GP fitted as the strategy
 * fits it (same schedule, own random starts), on how many seeds the learned noise variance is
 * at or above the strategy's threshold (NOISY) and its median ratio to the true one, taken as
 * (σ / sd of the observed values)², which ignores the output warp (and assumes every result
 * noisy).
 * --noise-from N, --noise-until N: NoisyHartmann6's noise only on results N+1 … (from) or
 * before result N+1 (until), exact values otherwise (the same noise draws either way), to see
 * which phase of the run the noise harms.
 * --trace SEED: that seed trial by trial, both functions: what was run, the fitted GP (length-
 * scales, signal and noise variance, the warp's λ), the best observed value and the least
 * posterior mean over the evaluated points in the GP's units, the model at the true optimum,
 * and the model at the point asked next (μ, σ, log EI on the best observed value).
 */
import { scriptOptions, wholeNumberFlag } from '../../src/cli/args';
import { createRng } from '../../src/lib/rng';
import { encodeParams, encodingLayout, paramsKey, type Params } from '../../src/lib/space';
import { BayesianStrategy, NOISY } from '../../src/lib/tuner/bayesian';
import type { GpPosterior } from '../../src/lib/tuner/gp';
import { logExpectedImprovement } from '../../src/lib/tuner/normal';
import { SurrogateFitter, surrogateData } from '../../src/lib/tuner/surrogate';
import { fitYeoJohnson } from '../../src/lib/tuner/warp';
import { hartmann6, noisyHartmann6, type BenchFunction } from './functions';
import { median, noiseStream } from './run';
import { VARIANT_USAGE, variantFlags, variantOptions } from './variant';

const USAGE = `Usage: bench:tuner-stuck [--seeds N] [--trace SEED] [--noise-from N] [--noise-until N] ${VARIANT_USAGE}`;
const { seeds, trace, noiseFrom, noiseUntil, variant } = scriptOptions(
  'bench:tuner-stuck',
  USAGE,
  process.argv.slice(2),
  { seeds: { type: 'string' }, trace: { type: 'string' }, 'noise-from': { type: 'string' }, 'noise-until': { type: 'string' }, ...variantFlags },
  { seeds: '40' },
  (values) => ({
    seeds: wholeNumberFlag('seeds', values.seeds as string, 1),
    trace: values.trace === undefined ? null : wholeNumberFlag('trace', values.trace as string, 1),
    noiseFrom: values['noise-from'] === undefined ? 0 : wholeNumberFlag('noise-from', values['noise-from'] as string, 0),
    noiseUntil: values['noise-until'] === undefined ? Infinity : wholeNumberFlag('noise-until', values['noise-until'] as string, 0),
    variant: variantOptions(values),
  }),
);

/** Hartmann6's global minimizer (Surjanovic & Bingham's table). */
const OPTIMUM: Params = { x1: 0.20169, x2: 0.150011, x3: 0.476874, x4: 0.275332, x5: 0.311652, x6: 0.6573 };
const NOISE_MARKS = [20, 30, 60];

interface Step {
  params: Params;
  repeat: boolean;
  value: number;
  truth: number;
  /** The fitted GP after this result, and the point asked next (null at the end). */
  posterior: GpPosterior;
  y: Float64Array;
  next: Params | null;
}

function sd(values: number[]): number {
  const m = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / values.length);
}

/** One run; `onStep` sees every result with a GP fitted on the results so far. */
function run(fn: BenchFunction, seed: number, onStep: (step: Step, told: number) => void): void {
  const budget = variant.budget ? { maxTrials: fn.budget } : {};
  const strategy = new BayesianStrategy({ space: fn.space, goal: 'minimize', seed, ...budget, ...variant.options });
  const layout = encodingLayout(fn.space);
  const fitter = new SurrogateFitter(createRng(seed));
  const noise = noiseStream(seed);
  const seen = new Set<string>();
  const observations: { features: Float64Array; value: number }[] = [];
  const tagged = (suggestions: { id: string; params: Params }[]) =>
    suggestions.map((s) => {
      const key = paramsKey(fn.space, s.params);
      const repeat = seen.has(key);
      seen.add(key);
      return { ...s, repeat };
    });
  const queue = tagged(strategy.ask(2));
  let asked = queue.length;
  while (queue.length > 0) {
    const trial = queue.shift()!;
    // One draw per result whatever the window, so a window changes which results are noisy, not the draws.
    const draw = fn.noise ? fn.noise * noise.normal() : 0;
    const value = fn.evaluate(trial.params) + (observations.length >= noiseFrom && observations.length < noiseUntil ? draw : 0);
    strategy.tell(trial.id, { value });
    observations.push({ features: encodeParams(layout, trial.params), value });
    let next: Params | null = null;
    if (asked < fn.budget) {
      const more = tagged(strategy.ask(1));
      asked += more.length;
      queue.push(...more);
      next = more[0]?.params ?? null;
    }
    if (observations.length < 2) continue;
    const { data } = surrogateData(layout, observations);
    const posterior = fitter.fit(data);
    if (!posterior) throw new Error(`${fn.name} seed ${seed}: the GP could not be factored`);
    onStep({ params: trial.params, repeat: trial.repeat, value, truth: fn.evaluate(trial.params), posterior, y: data.y, next }, observations.length);
  }
}

function summary(fn: BenchFunction): void {
  let poorAt30 = 0, poorAtEnd = 0, escaped = 0, late = 0, atBound = 0, repeats = 0;
  const detected = new Map<number, number>();
  const ratios = new Map<number, number[]>();
  for (let seed = 1; seed <= seeds; seed++) {
    let best = Infinity, poor30 = false;
    const values: number[] = [];
    run(fn, seed, (step, told) => {
      best = Math.min(best, step.truth);
      values.push(step.value);
      if (told === 30) poor30 = best - fn.minimum > 1;
      if (step.repeat) repeats++;
      if (told > 10) {
        late++;
        if (Object.values(step.params).some((v) => v === 0 || v === 1)) atBound++;
      }
      if (NOISE_MARKS.includes(told)) {
        if (step.posterior.noise >= NOISY) detected.set(told, (detected.get(told) ?? 0) + 1);
        if (fn.noise) ratios.set(told, [...(ratios.get(told) ?? []), step.posterior.noise / (fn.noise / sd(values)) ** 2]);
      }
    });
    const poorEnd = best - fn.minimum > 1;
    if (poor30) poorAt30++;
    if (poorEnd) poorAtEnd++;
    if (poor30 && !poorEnd) escaped++;
  }
  const percent = (a: number, b: number) => `${((100 * a) / b).toFixed(0)} %`;
  console.log(`${fn.name}: best evaluated regret > 1 at trial 30 on ${poorAt30}/${seeds} seeds, at the end on ${poorAtEnd}/${seeds} (${escaped} left the poor region after trial 30)`);
  console.log(`  asks after trial 10 with a coordinate at a bound ${percent(atBound, late)}; runs of an evaluated configuration again ${percent(repeats, seeds * fn.budget)}`);
  const noiseText = NOISE_MARKS.map((m) => `trial ${m}: ${detected.get(m) ?? 0}/${seeds}` + (fn.noise ? ` (fitted/true ${median(ratios.get(m)!).toFixed(2)})` : '')).join(', ');
  console.log(`  learned noise ≥ ${NOISY}: ${noiseText}`);
}

function traceSeed(fn: BenchFunction, seed: number): void {
  console.log(`== ${fn.name}, seed ${seed}`);
  const layout = encodingLayout(fn.space);
  const optimum = encodeParams(layout, OPTIMUM);
  const values: number[] = [];
  let bestTruth = Infinity;
  run(fn, seed, (step, told) => {
    values.push(step.value);
    bestTruth = Math.min(bestTruth, step.truth);
    const { posterior, y } = step;
    const theta = posterior.theta;
    const groups = theta.length - 2;
    const best = Math.min(...y);
    let leastMean = Infinity;
    for (let i = 0; i < y.length; i++) leastMean = Math.min(leastMean, posterior.predict(posterior.conditionedOn.points.subarray(i * layout.width, (i + 1) * layout.width)).mean);
    const at = (params: Params) => {
      const p = posterior.predict(encodeParams(layout, params));
      const s = Math.sqrt(p.variance);
      return `μ ${p.mean.toFixed(2)} σ ${s.toFixed(2)} logEI ${logExpectedImprovement(p.mean, s, best).toFixed(1)}`;
    };
    const m = values.reduce((a, b) => a + b, 0) / values.length;
    const lambda = values.length >= 4 ? fitYeoJohnson(Float64Array.from(values, (v) => (v - m) / sd(values))).toFixed(2) : '-';
    const x = Object.values(step.params).map((v) => (v as number).toFixed(2)).join(' ');
    console.log(
      `${String(told).padStart(2)} ${step.repeat ? 'again' : 'new  '} [${x}] true ${step.truth.toFixed(2)} observed ${step.value.toFixed(2)} best true ${bestTruth.toFixed(2)}` +
        ` | ℓ ${Array.from(theta.subarray(0, groups), (t) => Math.exp(t).toFixed(2)).join(' ')} σf² ${Math.exp(theta[groups]).toFixed(2)} σn² ${posterior.noise.toExponential(1)} λ ${lambda}` +
        ` | best observed ${best.toFixed(2)}, least mean ${leastMean.toFixed(2)} | optimum: ${at(OPTIMUM)}` +
        (step.next ? ` | next: ${at(step.next)}` : ''),
    );
  });
}

console.log(`variant: budget ${variant.budget ? 'known' : 'unknown'} ${JSON.stringify(variant.options)}; noise on results ${noiseFrom + 1} to ${noiseUntil === Infinity ? 'the end' : noiseUntil}`);
for (const fn of [hartmann6, noisyHartmann6]) {
  if (trace !== null) traceSeed(fn, trace);
  else summary(fn);
}
