/**
 * Which evaluated configuration to recommend, compared offline on the same runs (issue 13).
 * Usage: npm run bench:tuner-recommend [-- --seeds 15 --functions NoisyBranin,... --budget off
 *   --exploit minimizer --exploit-share 0.15]
 * Each seed runs the Bayesian strategy with its defaults, told the function's trial budget
 * unless --budget off, or with the search variant the flags ask for (variant.ts) (so the
 * search, and the set of evaluated configurations, is the same for every rule), then scores
 * rules that choose among
 * the evaluated configurations by the true regret of their choice:
 * - observed: the best single observed value; strategy: `Strategy.recommend()` as shipped;
 * - oracle: the truly best evaluated configuration, the bound no choice among them can beat;
 * - {warp,raw}-cand: the shipped rule (posterior mean, candidates within 4 noise σ of the best
 *   observed) on a GP fitted afresh with and without the output warp;
 * - {warp,raw}-ucb{k}: the least mean + k·σ (latent) over all evaluated configurations, a
 *   pessimistic rule that prefers configurations the model has support for;
 * - evidence: warp-cand or raw-cand, whichever GP gives the observed values the higher
 *   marginal likelihood in the objective's units (the warp's log-Jacobian added).
 * It also prints the shipped recommendation's regret and its ratio to the best observed one's
 * per seed, since a few seeds dominate the means.
 */
import { scriptOptions, UsageError, wholeNumberFlag } from '../../src/cli/args';
import { createRng } from '../../src/lib/rng';
import { encodeParams, encodingLayout, type Params } from '../../src/lib/space';
import { BayesianStrategy } from '../../src/lib/tuner/bayesian';
import { logMarginalLikelihood, pairGroupDistances } from '../../src/lib/tuner/gp';
import { ObservedConfigurations } from '../../src/lib/tuner/recommend';
import { SurrogateFitter, surrogateData, type SurrogateObservation } from '../../src/lib/tuner/surrogate';
import { fitYeoJohnson, yeoJohnson } from '../../src/lib/tuner/warp';
import { noisyBranin, noisyHartmann3, noisyHartmann6, noisyMixedTraining, type BenchFunction } from './functions';
import { mean, median, noiseStream, observe } from './run';
import { VARIANT_USAGE, variantFlags, variantOptions } from './variant';

const USAGE = `Usage: bench:tuner-recommend [--seeds N] [--functions NAME,...] ${VARIANT_USAGE}`;
const noisy = [noisyBranin, noisyHartmann3, noisyHartmann6, noisyMixedTraining];
const { seeds, functions, variant } = scriptOptions(
  'bench:tuner-recommend',
  USAGE,
  process.argv.slice(2),
  { seeds: { type: 'string' }, functions: { type: 'string' }, ...variantFlags },
  { seeds: '15' },
  (values) => {
    const named = (values.functions as string | undefined)?.split(',');
    const unknown = named?.filter((n) => !noisy.some((f) => f.name === n)) ?? [];
    if (unknown.length > 0) throw new UsageError('invalid', `unknown function ${unknown.join(', ')}; known: ${noisy.map((f) => f.name).join(', ')}.`);
    return {
      seeds: wholeNumberFlag('seeds', values.seeds as string, 1),
      functions: named ? noisy.filter((f) => named.includes(f.name)) : noisy,
      variant: variantOptions(values),
    };
  },
);

interface Result {
  params: Params;
  value: number;
  truth: number;
}

/** The evaluated results of one Bayesian run (the variant's options), two trials always pending (as bench:tuner runs it). */
function search(fn: BenchFunction, seed: number): { results: Result[]; recommended: Params } {
  const budget = variant.budget ? { maxTrials: fn.budget } : {};
  const strategy = new BayesianStrategy({ space: fn.space, goal: 'minimize', seed, ...budget, ...variant.options });
  const noise = noiseStream(seed);
  const queue = [...strategy.ask(2)];
  let asked = queue.length;
  const results: Result[] = [];
  while (queue.length > 0) {
    const trial = queue.shift()!;
    const value = observe(fn, trial.params, noise);
    results.push({ params: trial.params, value, truth: fn.evaluate(trial.params) });
    strategy.tell(trial.id, { value });
    if (asked < fn.budget) {
      const next = strategy.ask(1);
      asked += next.length;
      queue.push(...next);
    }
  }
  return { results, recommended: strategy.recommend()!.params };
}

function standardized(values: Float64Array): { z: Float64Array; sd: number } {
  const m = mean([...values]);
  const sd = Math.sqrt(mean([...values].map((v) => (v - m) ** 2)));
  return { z: values.map((v) => (v - m) / sd), sd };
}

/**
 * Log density of the observed values in the objective's units under the GP fitted to them:
 * the GP's log marginal likelihood in its own units plus the log-Jacobian of the map there
 * (standardize, Yeo-Johnson, standardize again, as warp.ts does).
 */
function logEvidence(values: Float64Array, warped: boolean, lml: number): number {
  const first = standardized(values);
  let jacobian = -values.length * Math.log(first.sd);
  if (!warped) return lml + jacobian;
  const lambda = fitYeoJohnson(first.z);
  jacobian -= values.length * Math.log(standardized(first.z.map((v) => yeoJohnson(v, lambda))).sd);
  for (const v of first.z) jacobian += Math.sign(v) * (lambda - 1) * Math.log1p(Math.abs(v));
  return lml + jacobian;
}

console.log(`variant: budget ${variant.budget ? 'known' : 'unknown'} ${JSON.stringify(variant.options)}`);
console.log(`seeds 1..${seeds}; mean regret (true value minus minimum) of each rule's choice, and its ratio to the best observed's`);
for (const fn of functions) {
  const regrets = new Map<string, number[]>();
  const score = (rule: string, truth: number) => regrets.set(rule, [...(regrets.get(rule) ?? []), truth - fn.minimum]);
  let rawChosen = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const { results, recommended } = search(fn, seed);
    const layout = encodingLayout(fn.space);
    const observations: SurrogateObservation[] = results.map((r) => ({ features: encodeParams(layout, r.params), value: r.value }));
    const configurations = new ObservedConfigurations(fn.space, 1);
    for (const r of results) configurations.add(r.params, r.value);
    score('observed', results.reduce((a, b) => (b.value < a.value ? b : a)).truth);
    score('strategy', fn.evaluate(recommended));
    score('oracle', Math.min(...results.map((r) => r.truth)));
    const evidence: Record<string, { value: number; choice: number }> = {};
    for (const warped of [true, false]) {
      const tag = warped ? 'warp' : 'raw';
      const { data, warp } = surrogateData(layout, observations, { powerTransform: warped });
      const posterior = new SurrogateFitter(createRng(seed)).fit(data);
      if (!posterior) throw new Error(`${fn.name} seed ${seed}: the GP could not be factored`);
      const choice = fn.evaluate(configurations.bestByModel(layout, posterior, warp)!.params);
      score(`${tag}-cand`, choice);
      evidence[tag] = { value: logEvidence(Float64Array.from(results, (r) => r.value), warped, logMarginalLikelihood(posterior.theta, data, pairGroupDistances(data))), choice };
      const predictions = results.map((r) => ({ truth: r.truth, ...posterior.predict(encodeParams(layout, r.params)) }));
      for (const k of [1, 2]) {
        const bound = (p: { mean: number; variance: number }) => p.mean + k * Math.sqrt(p.variance);
        score(`${tag}-ucb${k}`, predictions.reduce((a, b) => (bound(b) < bound(a) ? b : a)).truth);
      }
    }
    const raw = evidence.raw.value > evidence.warp.value;
    if (raw) rawChosen++;
    score('evidence', raw ? evidence.raw.choice : evidence.warp.choice);
  }
  const observed = mean(regrets.get('observed')!);
  console.log(`${fn.name} (σ ${fn.noise}, ${fn.budget} trials; evidence chose the unwarped GP on ${rawChosen}/${seeds} seeds)`);
  for (const [rule, values] of regrets) {
    console.log(`  ${rule.padEnd(10)} ${mean(values).toPrecision(3).padStart(8)}  ratio ${(mean(values) / observed).toFixed(2)}  median ${median(values).toPrecision(3)}`);
  }
  // Per seed: the shipped recommendation's regret over the best observed one's (Hartmann6's mean is dominated by a few seeds).
  const perSeed = regrets.get('strategy')!.map((r, i) => r / regrets.get('observed')![i]);
  console.log(`  strategy/observed per seed: ${perSeed.map((r) => r.toFixed(2)).join(' ')}  (median ${median(perSeed).toFixed(2)})`);
  console.log(`  strategy regret per seed: ${regrets.get('strategy')!.map((r) => r.toPrecision(2)).join(' ')}`);
  // For paired comparisons of two variants seed by seed (the same seeds run the same noise).
  console.log(`  observed regret per seed: ${regrets.get('observed')!.map((r) => r.toPrecision(3)).join(' ')}`);
}
