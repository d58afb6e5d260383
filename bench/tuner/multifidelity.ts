/**
 * Hyperband vs bayesian at an equal number of epochs, on a function whose value after e epochs
 * follows a learning curve to its final value.
 * Usage: npm run bench:tuner-fidelity [-- --seeds 15 --epochs 1080 --strategies hyperband,bayesian --exploit on
 *   --model-cap N --kernel feature|curve|sum --brackets N --regret observed|recommended]
 * Two runs always pending, as in regret.ts. Regret = the true final value of the configuration
 * with the best observed full-budget run − the minimum; bayesian runs every trial at full
 * budget. --noise σ adds Gaussian noise to every value the strategies see; --exploit off runs
 * hyperband without its full-budget runs of configurations close to the incumbent (`exploit`);
 * --model-cap N fits hyperband's sampling GP to at most N results (`modelCap`, default 150,
 * which 1080 epochs, about 180 results, barely reach); --kernel curve gives hyperband's GP the
 * learning-curve kernel (`fidelityKernel`) instead of the budget as one more Matérn feature,
 * --kernel sum the two kernels' sum;
 * --brackets N runs only hyperband's N most aggressive brackets (`brackets`; 1 is ASHA; default all).
 * --regret recommended scores instead the configuration each strategy recommends
 * (`Strategy.recommend`, asked after every result; hyperband's counts once it recommends a
 * full-budget configuration), which under noise is not the best observed run (issue 13).
 */
import { scriptOptions, UsageError, wholeNumberFlag } from '../../src/cli/args';
import type { Params, SearchSpace } from '../../src/lib/space';
import { BayesianStrategy } from '../../src/lib/tuner/bayesian';
import type { FidelityKernel } from '../../src/lib/tuner/fidelity';
import { HyperbandStrategy, type HyperbandSuggestion } from '../../src/lib/tuner/hyperband';
import type { Strategy, Suggestion } from '../../src/lib/tuner';
import { hartmann3, mixedTraining, type BenchFunction } from './functions';
import { createRng } from '../../src/lib/rng';
import { sampleParams } from '../../src/lib/space';
import { median, noiseStream } from './run';
import { kernelFlag } from './variant';

const MAX_EPOCHS = 27;
const STRATEGIES = ['hyperband', 'bayesian'] as const;
const USAGE = 'Usage: bench:tuner-fidelity [--seeds N] [--epochs N] [--strategies hyperband,bayesian] [--functions Hartmann3,MixedTraining] [--noise σ] [--exploit on|off] [--model-cap N] [--kernel feature|curve|sum] [--brackets N] [--regret observed|recommended]';

/**
 * A benchmark function with a learning curve: its value is the final one, and a run of e
 * epochs is worse by a gap that shrinks as (27/e)^½ − 1 (4.2× the unit gap after 1 epoch, 0
 * at 27) and differs between configurations: slow learners have a gap up to `spread`× a fast
 * one's, so the ranking after 1 or 3 epochs is mostly but not entirely the final one (the
 * bench prints the rank correlations).
 */
interface CurveFunction {
  base: BenchFunction;
  /** 0 (fast learner) to 1 (slow). */
  slowness: (p: Params) => number;
  /** The unit gap of the fastest and of the slowest learner. */
  gap: [number, number];
}

const curveFunctions: Record<string, CurveFunction> = {
  Hartmann3: {
    base: hartmann3,
    slowness: (p) => 0.5 + 0.5 * Math.sin(4 * (p.x1 as number) + 3 * (p.x3 as number) - 2 * (p.x2 as number)),
    gap: [0.12, 0.42],
  },
  // As in training: a small learning rate or a large batch learns slowly, so short runs favour
  // large learning rates more than the final values do.
  MixedTraining: {
    base: mixedTraining,
    slowness: (p) => Math.min(1, Math.max(0, (-Math.log10(p.lr as number) - 1) / 4 + (Math.log2(p.batch as number) - 4) / 10)),
    gap: [0.1, 0.6],
  },
};

const curveSpace = (fn: CurveFunction): SearchSpace => ({ ...fn.base.space, epochs: { type: 'integer', min: 1, max: MAX_EPOCHS, scale: 'log' } });
function valueAt(fn: CurveFunction, p: Params, epochs: number): number {
  const [fast, slow] = fn.gap;
  return fn.base.evaluate(p) + (fast + (slow - fast) * fn.slowness(p)) * (Math.sqrt(MAX_EPOCHS / epochs) - 1);
}

/** Spearman rank correlation of the values after `epochs` with the final ones, over random points. */
function rankCorrelation(fn: CurveFunction, epochs: number, points = 2000): number {
  const rng = createRng(12345);
  const ps = Array.from({ length: points }, () => sampleParams(fn.base.space, rng));
  const rank = (vs: number[]) => {
    const order = vs.map((v, i) => [v, i]).sort((a, b) => a[0] - b[0]);
    const r = new Array<number>(vs.length);
    order.forEach(([, i], k) => (r[i] = k));
    return r;
  };
  const a = rank(ps.map((p) => valueAt(fn, p, epochs)));
  const b = rank(ps.map((p) => fn.base.evaluate(p)));
  const d2 = a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0);
  return 1 - (6 * d2) / (points * (points ** 2 - 1));
}

/** Regret after each completed run: [epochs spent so far, regret of the best full-budget result]. */
type Curve = [number, number][];

/** Hyperband's settings the flags vary. */
interface HyperbandVariant {
  exploit: boolean;
  modelCap: number | undefined;
  kernel: FidelityKernel;
  brackets: number | undefined;
  /** What a run's regret is of: the best observed full-budget run, or the recommendation. */
  regret: Scored;
}

type Scored = 'observed' | 'recommended';

function run(fn: CurveFunction, strategy: 'hyperband' | 'bayesian', seed: number, totalEpochs: number, noise: number, { exploit, modelCap, kernel, brackets, regret }: HyperbandVariant): Curve {
  const noiseRng = noiseStream(seed);
  const s: Strategy =
    strategy === 'hyperband'
      ? new HyperbandStrategy({ space: curveSpace(fn), goal: 'minimize', seed, exploitAtFullBudget: exploit, modelCap, fidelityKernel: kernel, brackets })
      : new BayesianStrategy({ space: fn.base.space, goal: 'minimize', seed });
  const epochsOf = (t: Suggestion) => (t as HyperbandSuggestion).epochs ?? MAX_EPOCHS;
  const curve: Curve = [];
  let spent = 0;
  let asked = 0;
  let best = Infinity;
  let bestTruth = Infinity;
  const running: { trial: Suggestion; end: number }[] = [];
  let now = 0;
  const start = (count: number) => {
    for (const trial of s.ask(count)) {
      asked += epochsOf(trial);
      running.push({ trial, end: now + epochsOf(trial) });
    }
  };
  start(2);
  while (running.length > 0) {
    running.sort((a, b) => a.end - b.end);
    const { trial, end } = running.shift()!;
    now = end;
    const epochs = epochsOf(trial);
    spent += epochs;
    const value = valueAt(fn, trial.params, epochs) + noise * noiseRng.normal();
    s.tell(trial.id, { value });
    // The best observed full-budget run, and the true final value of its configuration.
    if (epochs === MAX_EPOCHS && value < best) [best, bestTruth] = [value, fn.base.evaluate(trial.params)];
    if (regret === 'recommended') {
      const r = s.recommend();
      const full = r && Number(r.params.epochs ?? MAX_EPOCHS) === MAX_EPOCHS;
      curve.push([spent, full ? fn.base.evaluate(r.params) - fn.base.minimum : Infinity]);
    } else curve.push([spent, bestTruth - fn.base.minimum]);
    if (asked < totalEpochs) start(1);
  }
  return curve;
}

/** The regret of a curve once `epochs` have been spent (Infinity before its first full-budget result). */
const regretAt = (curve: Curve, epochs: number) => curve.reduce((r, [e, v]) => (e <= epochs ? v : r), Infinity);

function noiseFlag(text: string): number {
  const noise = Number(text);
  if (!(Number.isFinite(noise) && noise >= 0)) throw new UsageError('invalid', `--noise must be a number ≥ 0 (the σ of Gaussian noise on every value), got "${text}".`);
  return noise;
}

function onOff(name: string, text: string): boolean {
  if (text !== 'on' && text !== 'off') throw new UsageError('invalid', `--${name} takes on or off, got "${text}".`);
  return text === 'on';
}

function options() {
  return scriptOptions(
    'bench:tuner-fidelity',
    USAGE,
    process.argv.slice(2),
    { seeds: { type: 'string' }, epochs: { type: 'string' }, strategies: { type: 'string' }, functions: { type: 'string' }, noise: { type: 'string' }, exploit: { type: 'string' }, 'model-cap': { type: 'string' }, kernel: { type: 'string' }, brackets: { type: 'string' }, regret: { type: 'string' } },
    { regret: 'observed', noise: '0', exploit: 'on', kernel: 'feature', brackets: '', 'model-cap': '', seeds: '15', epochs: String(40 * MAX_EPOCHS), strategies: STRATEGIES.join(','), functions: Object.keys(curveFunctions).join(',') },
    (values) => {
      const functions = (values.functions as string).split(',');
      for (const f of functions) if (!curveFunctions[f]) throw new UsageError('invalid', `--functions takes ${Object.keys(curveFunctions).join(', ')}, got "${f}".`);
      const strategies = (values.strategies as string).split(',');
      for (const s of strategies) if (!(STRATEGIES as readonly string[]).includes(s)) throw new UsageError('invalid', `--strategies takes ${STRATEGIES.join(', ')}, got "${s}".`);
      const regret = values.regret as string;
      if (regret !== 'observed' && regret !== 'recommended') throw new UsageError('invalid', `--regret takes observed or recommended, got "${regret}".`);
      return {
        regret: regret as Scored,
        seeds: wholeNumberFlag('seeds', values.seeds as string, 1),
        epochs: wholeNumberFlag('epochs', values.epochs as string, MAX_EPOCHS),
        strategies: strategies as (typeof STRATEGIES)[number][],
        functions: functions.map((f) => [f, curveFunctions[f]] as const),
        noise: noiseFlag(values.noise as string),
        exploit: onOff('exploit', values.exploit as string),
        kernel: kernelFlag('kernel', values.kernel as string),
        brackets: values.brackets === '' ? undefined : wholeNumberFlag('brackets', values.brackets as string, 1),
        modelCap: values['model-cap'] === '' ? undefined : wholeNumberFlag('model-cap', values['model-cap'] as string, 3),
      };
    },
  );
}

const { seeds, epochs, strategies, functions, noise, ...variant } = options();
const { exploit, modelCap, kernel, brackets, regret } = variant;
console.log(`seeds 1..${seeds}; two runs pending; noise σ ${noise}; regret of the ${regret === 'observed' ? 'best observed full-budget run' : 'recommended configuration'}; hyperband exploit ${exploit ? 'on' : 'off'}, model cap ${modelCap ?? 'default'}, kernel ${kernel}, brackets ${brackets ?? 'all'}; ${epochs} epochs each (bayesian: ${epochs / MAX_EPOCHS} trials of ${MAX_EPOCHS}); median regret over seeds after a fraction of the epochs`);
const checkpoints = Array.from({ length: 16 }, (_, i) => Math.round(((i + 1) / 16) * epochs));
for (const [name, fn] of functions) {
  console.log(`${name}: rank correlation of the value after 1, 3, 9 epochs with the final one: ${[1, 3, 9].map((e) => rankCorrelation(fn, e).toFixed(2)).join(', ')}`);
  const medians = new Map<string, number[]>();
  for (const strategy of strategies) {
    const started = performance.now();
    const curves = Array.from({ length: seeds }, (_, i) => run(fn, strategy, i + 1, epochs, noise, variant));
    const row = checkpoints.map((e) => median(curves.map((c) => regretAt(c, e))));
    medians.set(strategy, row);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`  ${strategy.padEnd(10)} ${checkpoints.map((e, i) => `${e}: ${row[i].toPrecision(3)}`).join('  ')}  (${seconds}s)`);
  }
  const hb = medians.get('hyperband');
  const bo = medians.get('bayesian');
  if (hb && bo) {
    const target = bo[bo.length - 1];
    const reached = checkpoints.find((_, i) => hb[i] <= target);
    console.log(`  bayesian's final median regret ${target.toPrecision(3)}: hyperband reaches it ${reached === undefined ? 'never within the epochs' : `by ${reached} epochs (${((100 * reached) / epochs).toFixed(1)} %)`}`);
  }
}
