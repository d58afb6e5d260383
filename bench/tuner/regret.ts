/**
 * Simple regret over seeds, bayesian vs random, two trials always pending.
 * Usage: npm run bench:tuner [-- --seeds 15 --functions Branin,Hartmann3 --extra --noisy --tpe
 *   --trials N --strategies bayesian,random --initial N --power off --budget off --exploit minimizer]
 * (--extra adds Hartmann6, a mixed training-like space and Ackley5; --noisy the noisy functions
 * alone; --trials replaces every function's own budget; --tpe adds Optuna's TPE, run by
 * python3 with optuna, see tpe.ts.)
 * Regret is the true value of a configuration minus the minimum: of the best observed one
 * ("observed") and of the one the strategy recommends ("recommended", `Strategy.recommend`).
 * On a noiseless function they are the same point unless the model's mean disagrees.
 * The Bayesian strategy is told each function's trial budget (`maxTrials`) unless --budget off.
 */
import { scriptOptions, UsageError, wholeNumberFlag } from '../../src/cli/args';
import { STRATEGIES, type StrategyName } from '../../src/lib/tuner';
import { ackley5, branin, hartmann3, hartmann6, mixedTraining, noisyBranin, noisyHartmann3, noisyHartmann6, noisyMixedTraining, type BenchFunction } from './functions';
import { mean, median, runOnce } from './run';
import { runTpe } from './tpe';
import { VARIANT_USAGE, variantFlags, variantOptions } from './variant';

const USAGE =
  'Usage: bench:tuner [--seeds N] [--functions NAME,...] [--extra] [--noisy] [--tpe] [--trials N] [--strategies bayesian,random] [--initial N] [--power on|off] [--incumbent mean|observed] [--reevaluate N] ' + VARIANT_USAGE;
const noiseless = [branin, hartmann3, hartmann6, mixedTraining, ackley5];
const noisy = [noisyBranin, noisyHartmann3, noisyHartmann6, noisyMixedTraining];
const all = [...noiseless, ...noisy];

function options() {
  return scriptOptions(
    'bench:tuner',
    USAGE,
    process.argv.slice(2),
    {
      seeds: { type: 'string' },
      functions: { type: 'string' },
      extra: { type: 'boolean' },
      noisy: { type: 'boolean' },
      tpe: { type: 'boolean' },
      trials: { type: 'string' },
      strategies: { type: 'string' },
      // Ablations for docs/TUNER.md: --initial N (design size), --power off (no output warping).
      initial: { type: 'string' },
      power: { type: 'string' },
      incumbent: { type: 'string' },
      reevaluate: { type: 'string' },
      ...variantFlags,
    },
    { seeds: '15', strategies: 'bayesian,random', power: 'on' },
    (values) => {
      const text = (name: string) => values[name] as string | undefined;
      let functions = values.noisy ? noisy : values.extra ? noiseless : [branin, hartmann3];
      const named = text('functions');
      if (named !== undefined) {
        const names = named.split(',');
        const unknown = names.filter((name) => !all.some((f) => f.name === name));
        if (unknown.length > 0) throw new UsageError('invalid', `unknown function ${unknown.join(', ')}; known: ${all.map((f) => f.name).join(', ')}.`);
        functions = all.filter((f) => names.includes(f.name));
      }
      const trials = text('trials');
      if (trials !== undefined) {
        const budget = wholeNumberFlag('trials', trials, 1);
        functions = functions.map((f) => ({ ...f, budget }));
      }
      const strategies = text('strategies')!.split(',');
      for (const s of strategies) if (!(STRATEGIES as readonly string[]).includes(s)) throw new UsageError('invalid', `--strategies takes ${STRATEGIES.join(', ')}, got "${s}".`);
      const power = text('power');
      if (power !== 'on' && power !== 'off') throw new UsageError('invalid', `--power must be on or off, got "${power}".`);
      const initial = text('initial');
      const incumbent = text('incumbent');
      if (incumbent !== undefined && incumbent !== 'mean' && incumbent !== 'observed') throw new UsageError('invalid', `--incumbent must be mean or observed, got "${incumbent}".`);
      const variant = variantOptions(values);
      return {
        budget: variant.budget,
        seeds: wholeNumberFlag('seeds', text('seeds')!, 1),
        tpe: values.tpe === true,
        functions,
        strategies: strategies as StrategyName[],
        extra: {
          ...(initial !== undefined ? { initialTrials: wholeNumberFlag('initial', initial, 1) } : {}),
          ...(power === 'off' ? { powerTransform: false } : {}),
          ...(incumbent !== undefined ? { incumbent: incumbent as 'mean' | 'observed' } : {}),
          ...(text('reevaluate') !== undefined ? { reevaluateEvery: wholeNumberFlag('reevaluate', text('reevaluate')!, 0) } : {}),
          ...variant.options,
        },
      };
    },
  );
}

const { seeds, functions, strategies, extra, tpe, budget } = options();
const fixed = (v: number) => v.toPrecision(3).padStart(9);
/** Median (q25, q75, max) and mean of one set of regrets. */
function summary(regrets: number[]): string {
  const sorted = [...regrets].sort((a, b) => a - b);
  const n = sorted.length;
  return `median ${fixed(median(regrets))}  (q25 ${sorted[Math.floor(n / 4)].toPrecision(3)}, q75 ${sorted[Math.floor((3 * n) / 4)].toPrecision(3)}, max ${sorted[n - 1].toPrecision(3)})  mean ${fixed(mean(regrets))}`;
}
console.log(`seeds 1..${seeds}; two trials pending; regret = true value of a configuration - known minimum`);
for (const fn of functions as BenchFunction[]) {
  const label = `${fn.name}${fn.noise ? ` (σ ${fn.noise})` : ''}`;
  for (const strategy of strategies) {
    const started = performance.now();
    const runs = Array.from({ length: seeds }, (_, s) => runOnce(fn, strategy, s + 1, strategy === 'bayesian' ? { ...extra, ...(budget ? { maxTrials: fn.budget } : {}) } : {}));
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`${label.padEnd(24)} ${strategy.padEnd(9)} trials ${String(fn.budget).padStart(3)}  observed    ${summary(runs.map((r) => r.observed))}  ${seconds}s`);
    console.log(`${''.padEnd(24)} ${''.padEnd(9)}            recommended ${summary(runs.map((r) => r.recommended))}`);
  }
  if (tpe) {
    const started = performance.now();
    const regrets: number[] = [];
    for (let s = 1; s <= seeds; s++) regrets.push(await runTpe(fn, s));
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`${label.padEnd(24)} ${'tpe'.padEnd(9)} trials ${String(fn.budget).padStart(3)}  observed    ${summary(regrets)}  ${seconds}s`);
  }
}
