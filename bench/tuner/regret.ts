/**
 * Median simple regret over seeds, bayesian vs random, two trials always pending.
 * Usage: npm run bench:tuner [-- --seeds 15 --functions Branin,Hartmann3 --extra --trials N
 *   --strategies bayesian,random --initial N --power off]
 * (--extra adds Hartmann6, a mixed training-like space and Ackley5; --trials replaces every
 * function's own budget.)
 */
import { scriptOptions, UsageError, wholeNumberFlag } from '../../src/cli/args';
import { STRATEGIES, type StrategyName } from '../../src/lib/tuner';
import { ackley5, branin, hartmann3, hartmann6, mixedTraining, type BenchFunction } from './functions';
import { median, runOnce } from './run';

const USAGE =
  'Usage: bench:tuner [--seeds N] [--functions NAME,...] [--extra] [--trials N] [--strategies bayesian,random] [--initial N] [--power on|off]';
const all = [branin, hartmann3, hartmann6, mixedTraining, ackley5];

function options() {
  return scriptOptions(
    'bench:tuner',
    USAGE,
    process.argv.slice(2),
    {
      seeds: { type: 'string' },
      functions: { type: 'string' },
      extra: { type: 'boolean' },
      trials: { type: 'string' },
      strategies: { type: 'string' },
      // Ablations for docs/TUNER.md: --initial N (design size), --power off (no output warping).
      initial: { type: 'string' },
      power: { type: 'string' },
    },
    { seeds: '15', strategies: 'bayesian,random', power: 'on' },
    (values) => {
      const text = (name: string) => values[name] as string | undefined;
      let functions = values.extra ? all : [branin, hartmann3];
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
      return {
        seeds: wholeNumberFlag('seeds', text('seeds')!, 1),
        functions,
        strategies: strategies as StrategyName[],
        extra: {
          ...(initial !== undefined ? { initialTrials: wholeNumberFlag('initial', initial, 1) } : {}),
          ...(power === 'off' ? { powerTransform: false } : {}),
        },
      };
    },
  );
}

const { seeds, functions, strategies, extra } = options();
console.log(`seeds 1..${seeds}; two trials pending; regret = best found - known minimum`);
for (const fn of functions as BenchFunction[]) {
  for (const strategy of strategies) {
    const started = performance.now();
    const regrets = Array.from({ length: seeds }, (_, s) => runOnce(fn, strategy, s + 1, strategy === 'bayesian' ? extra : {}));
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const sorted = [...regrets].sort((a, b) => a - b);
    console.log(
      `${fn.name.padEnd(14)} ${strategy.padEnd(9)} trials ${String(fn.budget).padStart(3)}  median regret ${median(regrets).toPrecision(3).padStart(9)}` +
        `  (q25 ${sorted[Math.floor(seeds / 4)].toPrecision(3)}, q75 ${sorted[Math.floor((3 * seeds) / 4)].toPrecision(3)}, max ${sorted[seeds - 1].toPrecision(3)})  ${seconds}s`,
    );
  }
}
