/**
 * Median simple regret over seeds, bayesian vs random, two trials always pending.
 * Usage: npm run bench:tuner [-- --seeds 15 --functions Branin,Hartmann3 --extra]
 * (--extra adds Hartmann6, a mixed training-like space and Ackley5.)
 */
import type { StrategyName } from '../../src/lib/tuner';
import { ackley5, branin, hartmann3, hartmann6, mixedTraining, type BenchFunction } from './functions';
import { median, runOnce } from './run';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const seeds = Number(flag('seeds') ?? 15);
const all = [branin, hartmann3, hartmann6, mixedTraining, ackley5];
const chosen = flag('functions')?.split(',');
const functions: BenchFunction[] = chosen
  ? all.filter((f) => chosen.includes(f.name))
  : args.includes('--extra') ? all : [branin, hartmann3];
const strategies = (flag('strategies')?.split(',') ?? ['bayesian', 'random']) as StrategyName[];
// Ablations for docs/TUNER.md: --initial N (design size), --power off (no output warping).
const extra = {
  ...(flag('initial') ? { initialTrials: Number(flag('initial')) } : {}),
  ...(flag('power') === 'off' ? { powerTransform: false } : {}),
};

console.log(`seeds 1..${seeds}; two trials pending; regret = best found - known minimum`);
for (const fn of functions) {
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
