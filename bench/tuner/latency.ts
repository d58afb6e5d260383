/**
 * Ask latency: one ask of 2 trials in an 8-parameter mixed space (log, reverse-log, linear,
 * integer and categorical parameters), on three paths:
 * - history: the bayesian strategy in-process, the trials reached by ask/tell, asks centred on
 *   N completed trials;
 * - cli: the ask/tell CLI as a child process (node --import tsx src/cli/tuner.ts) after N
 *   warm-start tells {"params", "value"}, each ask's round trip timed, the first ask included;
 * - hyperband: the hyperband strategy in-process on the same space with `epochs` 1–27, asks
 *   centred on N results at any rung; most of its asks only promote, so the asks that sample a
 *   new configuration from the GP are also reported apart, and so is `recommend()`, timed after
 *   each measured ask's tells (the page asks it after every result; it fits a GP of its own), and
 *   after it the page's other questions from the same fit: a 60-point slice along every
 *   parameter, epochs included, and the importance (`fullBudgetBelief`).
 * Each ask is followed by a tell of both trials.
 * Usage: npm run bench:tuner-latency [-- --paths history,cli,hyperband --sizes 25,50,100,200,300
 *   --cli-sizes 100,300 --hb-sizes 100,200,400 --repeats 15 --cli-repeats 7 --hb-repeats 40
 *   --hb-cap N (the sampling GP's cap, `modelCap`) --hb-exploit on|off (`exploit`)
 *   --hb-kernel feature|curve|sum (the sampling GP's kernel, `fidelityKernel`)]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { scriptOptions, UsageError, wholeNumberFlag } from '../../src/cli/args';
import { createRng } from '../../src/lib/rng';
import { sampleParams, type Params, type SearchSpace } from '../../src/lib/space';
import { createStrategy } from '../../src/lib/tuner';
import type { FidelityKernel } from '../../src/lib/tuner/fidelity';
import { HyperbandStrategy } from '../../src/lib/tuner/hyperband';
import { median } from './run';
import { kernelFlag } from './variant';

const USAGE =
  'Usage: bench:tuner-latency [--paths history,cli,hyperband] [--sizes 25,50,100,200,300] [--cli-sizes 100,300] [--hb-sizes 100,200,400] [--repeats 15] [--cli-repeats 7] [--hb-repeats 40] [--hb-cap N] [--hb-exploit on|off] [--hb-kernel feature|curve|sum]';
const PATHS = ['history', 'cli', 'hyperband'];

function onOff(name: string, text: string): boolean {
  if (text !== 'on' && text !== 'off') throw new UsageError('invalid', `--${name} takes on or off, got "${text}".`);
  return text === 'on';
}

function options() {
  return scriptOptions(
    'bench:tuner-latency',
    USAGE,
    process.argv.slice(2),
    {
      paths: { type: 'string' },
      sizes: { type: 'string' },
      'cli-sizes': { type: 'string' },
      'hb-sizes': { type: 'string' },
      repeats: { type: 'string' },
      'cli-repeats': { type: 'string' },
      'hb-repeats': { type: 'string' },
      'hb-cap': { type: 'string' },
      'hb-exploit': { type: 'string' },
      'hb-kernel': { type: 'string' },
    },
    { paths: PATHS.join(','), sizes: '25,50,100,200,300', 'cli-sizes': '100,300', 'hb-sizes': '100,200,400', repeats: '15', 'cli-repeats': '7', 'hb-repeats': '40', 'hb-cap': '', 'hb-exploit': 'on', 'hb-kernel': 'feature' },
    (values) => {
      const text = (name: string) => values[name] as string;
      const list = (name: string, min: number): number[] => (text(name) === '' ? [] : text(name).split(',').map((s) => wholeNumberFlag(name, s, min)));
      const paths = text('paths').split(',');
      for (const p of paths) if (!PATHS.includes(p)) throw new UsageError('invalid', `--paths takes ${PATHS.join(', ')}, got "${p}".`);
      return {
        paths,
        sizes: list('sizes', 2),
        cliSizes: list('cli-sizes', 2),
        hbSizes: list('hb-sizes', 2),
        repeats: wholeNumberFlag('repeats', text('repeats'), 1),
        cliRepeats: wholeNumberFlag('cli-repeats', text('cli-repeats'), 1),
        hbRepeats: wholeNumberFlag('hb-repeats', text('hb-repeats'), 1),
        hbCap: text('hb-cap') === '' ? undefined : wholeNumberFlag('hb-cap', text('hb-cap'), 3),
        hbExploit: onOff('hb-exploit', text('hb-exploit')),
        hbKernel: kernelFlag('hb-kernel', text('hb-kernel')),
      };
    },
  );
}

const space: SearchSpace = {
  lr: { type: 'continuous', min: 1e-5, max: 1, scale: 'log' },
  wd: { type: 'continuous', min: 1e-6, max: 1e-1, scale: 'log' },
  momentum: { type: 'continuous', min: 0.5, max: 0.999, scale: 'reverse-log' },
  dropout: { type: 'continuous', min: 0, max: 0.5, scale: 'linear' },
  batch: { type: 'integer', min: 16, max: 512, scale: 'log' },
  depth: { type: 'integer', min: 1, max: 8 },
  optimizer: { type: 'categorical', values: ['sgd', 'adam', 'rmsprop'] },
  schedule: { type: 'categorical', values: ['constant', 'cosine', 'step', 'linear'] },
};

/** A noisy, smooth objective so the GP fit does real work. */
function objective(params: Params, noise: number): number {
  const lr = Math.log10(params.lr as number);
  const wd = Math.log10(params.wd as number);
  const opt = params.optimizer === 'sgd' ? 0 : params.optimizer === 'adam' ? 0.3 : 0.6;
  return (lr + 2) ** 2 + 0.3 * (wd + 4) ** 2 + 5 * (params.dropout as number) + 0.1 * Math.abs((params.depth as number) - 4) + opt + 0.05 * noise;
}

const load = (): string => loadavg().map((v) => v.toFixed(2)).join(', ');

function historyPath(sizes: number[], repeats: number): void {
  console.log(`history path: in-process ask(2), ${repeats} asks centred on N completed trials, each followed by 2 tells`);
  for (const size of sizes) {
    const strategy = createStrategy('bayesian', { space, goal: 'minimize', seed: size });
    const rng = createRng(size + 1000);
    // Reach the size the way a job would (ask, tell), stopping short so that the timed asks,
    // each followed by two tells, are centred on `size` completed trials.
    const start = Math.max(2, size - repeats);
    for (let done = 0; done < start; ) {
      for (const trial of strategy.ask(1)) {
        strategy.tell(trial.id, { value: objective(trial.params, rng.normal()) });
        done++;
      }
    }
    const times: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const started = performance.now();
      const trials = strategy.ask(2);
      times.push(performance.now() - started);
      for (const trial of trials) strategy.tell(trial.id, { value: objective(trial.params, rng.normal()) });
    }
    console.log(`${String(size).padStart(4)} completed: median ${median(times).toFixed(1)} ms, worst ${Math.max(...times).toFixed(1)} ms`);
  }
}

/**
 * The objective after `epochs` of 27: the final value plus a learning-curve gap that shrinks to
 * 0 at 27 epochs and is larger with more dropout, so short runs rank configurations mostly as
 * full ones do.
 */
function objectiveAt(params: Params, noise: number): number {
  const gap = 0.2 + 0.6 * (params.dropout as number);
  return objective(params, noise) + gap * (Math.sqrt(27 / (params.epochs as number)) - 1);
}

function hyperbandPath(sizes: number[], repeats: number, modelCap: number | undefined, exploit: boolean, kernel: FidelityKernel): void {
  console.log(
    `hyperband path: in-process ask(2) with epochs 1–27, ${repeats} asks centred on N results at any rung, each followed by 2 tells; model cap ${modelCap ?? 'default'}, exploit ${exploit ? 'on' : 'off'}, kernel ${kernel}`,
  );
  for (const size of sizes) {
    const hbSpace: SearchSpace = { ...space, epochs: { type: 'integer', min: 1, max: 27, scale: 'log' } };
    const strategy = new HyperbandStrategy({ space: hbSpace, goal: 'minimize', seed: size, modelCap, exploitAtFullBudget: exploit, fidelityKernel: kernel });
    const rng = createRng(size + 3000);
    let configs = 0;
    let full = 0;
    const askAndTell = (count: number): { ms: number; sampled: boolean } => {
      const started = performance.now();
      const trials = strategy.ask(count);
      const ms = performance.now() - started;
      const sampled = trials.some((t) => t.config > configs);
      for (const trial of trials) {
        configs = Math.max(configs, trial.config);
        if (trial.epochs === 27) full++;
        strategy.tell(trial.id, { value: objectiveAt(trial.params, rng.normal()) });
      }
      return { ms, sampled };
    };
    for (let done = 0; done < Math.max(2, size - repeats); done++) askAndTell(1);
    // The page asks for the recommendation after each result; it fits a GP of its own, so timing it changes no ask.
    // It also asks for the slices and the importance, from the same fit (`fullBudgetBelief`).
    const recommends: number[] = [];
    const shown: number[] = [];
    const asks = Array.from({ length: repeats }, () => {
      const ask = askAndTell(2);
      let started = performance.now();
      const recommended = strategy.recommend();
      recommends.push(performance.now() - started);
      started = performance.now();
      const belief = strategy.fullBudgetBelief();
      if (belief && recommended) {
        for (const name of Object.keys(hbSpace)) belief.slice(name, recommended.params);
        belief.ranked();
      }
      shown.push(performance.now() - started);
      return ask;
    });
    const all = asks.map((a) => a.ms);
    const sampling = asks.filter((a) => a.sampled).map((a) => a.ms);
    console.log(
      `${String(size).padStart(4)} results (${full} at the full budget at the end): median ${median(all).toFixed(1)} ms, worst ${Math.max(...all).toFixed(1)} ms; ` +
        `the ${sampling.length} asks that sampled: median ${median(sampling).toFixed(1)} ms, worst ${Math.max(...sampling).toFixed(1)} ms; ` +
        `recommend() after each: median ${median(recommends).toFixed(1)} ms, worst ${Math.max(...recommends).toFixed(1)} ms; ` +
        `then the ${Object.keys(hbSpace).length} slices and the importance from its fit: median ${median(shown).toFixed(1)} ms, worst ${Math.max(...shown).toFixed(1)} ms`,
    );
  }
}

/** The CLI as a child process, one request line in, one response line out. */
class CliProcess {
  private readonly child;
  private readonly waiting: ((line: string) => void)[] = [];

  constructor(spaceFile: string, seed: number) {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    this.child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/tuner.ts', '--space', spaceFile, '--seed', String(seed)], {
      cwd: root,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => this.waiting.shift()?.(line));
  }

  request(message: unknown): Promise<Record<string, unknown>> {
    return new Promise((resolve) => {
      this.waiting.push((line) => resolve(JSON.parse(line)));
      this.child.stdin.write(`${JSON.stringify(message)}\n`);
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.child.on('close', () => resolve());
      this.child.stdin.end();
    });
  }
}

async function cliPath(sizes: number[], repeats: number): Promise<void> {
  console.log(
    `cli path: node --import tsx src/cli/tuner.ts, N warm-start tells of random points, then ${repeats} asks of 2 (first included), each followed by 2 tells`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'tuner-latency-'));
  try {
    const spaceFile = join(dir, 'space.json');
    writeFileSync(spaceFile, JSON.stringify({ objective: { metric: 'loss', goal: 'minimize' }, parameters: space }));
    for (const size of sizes) {
      const rng = createRng(size + 2000);
      const cli = new CliProcess(spaceFile, size);
      // Send every warm-start line before reading the answers, as a harness replaying a log would.
      const told = Array.from({ length: size }, () => {
        const params = sampleParams(space, rng);
        return cli.request({ tell: { params, value: objective(params, rng.normal()) } });
      });
      for (const answer of await Promise.all(told)) if (answer.ok !== true) throw new Error(`warm-start tell refused: ${JSON.stringify(answer)}`);
      const times: number[] = [];
      for (let r = 0; r < repeats; r++) {
        const started = performance.now();
        const answer = await cli.request({ ask: 2 });
        times.push(performance.now() - started);
        const trials = answer.trials as { id: string; params: Params }[] | undefined;
        if (!trials || trials.length !== 2) throw new Error(`unexpected answer to ask: ${JSON.stringify(answer)}`);
        for (const trial of trials) await cli.request({ tell: { id: trial.id, value: objective(trial.params, rng.normal()) } });
      }
      await cli.close();
      console.log(
        `${String(size).padStart(4)} warm-start: median ${median(times).toFixed(1)} ms, first ${times[0].toFixed(1)} ms, worst ${Math.max(...times).toFixed(1)} ms`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const { paths, sizes, cliSizes, hbSizes, repeats, cliRepeats, hbRepeats, hbCap, hbExploit, hbKernel } = options();
const started = performance.now();
console.log(`8-parameter mixed space; load average at start ${load()}`);
if (paths.includes('history')) historyPath(sizes, repeats);
if (paths.includes('cli')) await cliPath(cliSizes, cliRepeats);
if (paths.includes('hyperband')) hyperbandPath(hbSizes, hbRepeats, hbCap, hbExploit, hbKernel);
console.log(`load average at end ${load()}; ${((performance.now() - started) / 1000).toFixed(0)} s`);
