/**
 * Median simple regret over seeds, bayesian vs random, two trials always pending.
 * Usage: npm run bench:tuner [-- --seeds 15 --functions Branin,Hartmann3 --extra --trials N
 *   --strategies bayesian,random --initial N --power off]
 * (--extra adds Hartmann6, a mixed training-like space and Ackley5; --trials replaces every
 * function's own budget.)
 */
import { parseArgs } from 'node:util';
import { STRATEGIES, type StrategyName } from '../../src/lib/tuner';
import { ackley5, branin, hartmann3, hartmann6, mixedTraining, type BenchFunction } from './functions';
import { median, runOnce } from './run';

const USAGE =
  'Usage: bench:tuner [--seeds N] [--functions NAME,...] [--extra] [--trials N] [--strategies bayesian,random] [--initial N] [--power on|off]';
const all = [branin, hartmann3, hartmann6, mixedTraining, ackley5];

function fail(message: string): never {
  process.stderr.write(`bench:tuner: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function options() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        seeds: { type: 'string', default: '15' },
        functions: { type: 'string' },
        extra: { type: 'boolean', default: false },
        trials: { type: 'string' },
        strategies: { type: 'string', default: 'bayesian,random' },
        // Ablations for docs/TUNER.md: --initial N (design size), --power off (no output warping).
        initial: { type: 'string' },
        power: { type: 'string', default: 'on' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  const positive = (name: string, text: string): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1) fail(`--${name} must be a positive integer, got "${text}".`);
    return value;
  };
  let functions = values.extra ? all : [branin, hartmann3];
  if (values.functions !== undefined) {
    const names = values.functions.split(',');
    const unknown = names.filter((name) => !all.some((f) => f.name === name));
    if (unknown.length > 0) fail(`unknown function ${unknown.join(', ')}; known: ${all.map((f) => f.name).join(', ')}.`);
    functions = all.filter((f) => names.includes(f.name));
  }
  if (values.trials !== undefined) {
    const budget = positive('trials', values.trials);
    functions = functions.map((f) => ({ ...f, budget }));
  }
  const strategies = values.strategies.split(',');
  for (const s of strategies) if (!(STRATEGIES as readonly string[]).includes(s)) fail(`--strategies takes ${STRATEGIES.join(', ')}, got "${s}".`);
  if (values.power !== 'on' && values.power !== 'off') fail(`--power must be on or off, got "${values.power}".`);
  return {
    seeds: positive('seeds', values.seeds),
    functions,
    strategies: strategies as StrategyName[],
    extra: {
      ...(values.initial !== undefined ? { initialTrials: positive('initial', values.initial) } : {}),
      ...(values.power === 'off' ? { powerTransform: false } : {}),
    },
  };
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
