/**
 * After how many results the page's Importance ranking settles (the chart calls a ranking from
 * fewer than SETTLED_RESULTS tentative). Usage: npm run bench:tuner-importance [-- --seeds N].
 * Each seed runs the Bayesian strategy one trial at a time on a bench function for its budget,
 * and feeds the same results to the page's display model (`BeliefService`, the tuner worker's),
 * whose importance is read after every result. Printed per number of results n: the share of
 * seeds whose top-ranked parameter at n is the one ranked top at the end, and the median
 * Kendall τ between the ranking at n and the final one.
 */
import { scriptOptions, wholeNumberFlag } from '../../src/cli/args';
import { BayesianStrategy } from '../../src/lib/tuner/bayesian';
import { BeliefService } from '../../src/lib/tuner/belief-service';
import { branin, hartmann3, hartmann6, mixedTraining, noisyHartmann6, noisyMixedTraining, type BenchFunction } from './functions';
import { median, noiseStream, observe } from './run';

const USAGE = 'Usage: bench:tuner-importance [--seeds N]';
const { seeds } = scriptOptions('bench:tuner-importance', USAGE, process.argv.slice(2), { seeds: { type: 'string' } }, { seeds: '10' }, (values) => ({
  seeds: wholeNumberFlag('seeds', values.seeds as string, 1),
}));

const MARKS = [3, 5, 8, 10, 15, 20, 30, 40];

/** Parameter names from the most to the least important. */
type Ranking = string[];

/** Kendall's τ between two orderings of the same names (no ties). */
function kendallTau(a: Ranking, b: Ranking): number {
  const position = new Map(b.map((name, i) => [name, i]));
  let concordant = 0;
  let pairs = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = i + 1; j < a.length; j++) {
      pairs++;
      if (position.get(a[i])! < position.get(a[j])!) concordant++;
    }
  }
  return pairs === 0 ? 1 : (2 * concordant - pairs) / pairs;
}

/** The importance ranking after each result (null where the display model had none yet). */
function rankings(fn: BenchFunction, seed: number): (Ranking | null)[] {
  const strategy = new BayesianStrategy({ space: fn.space, goal: 'minimize', seed });
  // Fits run at once (no macrotask), so the ranking read after a result is the one the page would show once it refits.
  const beliefs = new BeliefService({ space: fn.space, goal: 'minimize', seed, strategy: 'bayesian', defer: (task) => task() });
  const noise = noiseStream(seed);
  const out: (Ranking | null)[] = [];
  for (let n = 1; n <= fn.budget; n++) {
    const [trial] = strategy.ask(1);
    const value = observe(fn, trial.params, noise);
    strategy.tell(trial.id, { value });
    beliefs.observed(trial.params, value);
    const importance = beliefs.importance();
    out.push(importance ? [...importance.parameters].sort((a, b) => b.importance - a.importance).map((p) => p.name) : null);
  }
  beliefs.dispose();
  return out;
}

console.log(`seeds 1..${seeds}; one trial at a time; top: share of seeds whose top parameter at n is the final one; τ: median Kendall τ to the final ranking`);
for (const fn of [branin, hartmann3, hartmann6, mixedTraining, noisyHartmann6, noisyMixedTraining]) {
  const started = performance.now();
  const runs = Array.from({ length: seeds }, (_, i) => rankings(fn, i + 1));
  const cells = MARKS.filter((n) => n < fn.budget).map((n) => {
    const pairs = runs.map((run) => [run[n - 1], run[fn.budget - 1]] as const).filter(([now, end]) => now && end);
    const top = pairs.filter(([now, end]) => now![0] === end![0]).length / Math.max(1, pairs.length);
    const tau = median(pairs.map(([now, end]) => kendallTau(now!, end!)));
    return `n ${String(n).padStart(2)}: top ${(100 * top).toFixed(0).padStart(3)} %, τ ${tau.toFixed(2).padStart(5)}`;
  });
  console.log(`${fn.name.padEnd(20)} (${fn.budget} trials, ${Object.keys(fn.space).length} parameters, ${((performance.now() - started) / 1000).toFixed(0)} s)`);
  for (const cell of cells) console.log(`  ${cell}`);
}
