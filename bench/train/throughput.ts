/**
 * `npm run bench:train`: training throughput of each engine on the same network, width, batch and
 * steps, in Node on Dawn or in headless Chromium. Engines: `stock` (this engine on tfjs's kernels),
 * `tfjs-layers` (the same network as a tf.LayersModel; on webgpu, and in Chromium also on webgl),
 * and `custom` (this engine on its own kernels). Blocks of --steps timed steps run interleaved
 * across engines, --repetitions times, after --warmup steps each; each figure is the median.
 *   npm run bench:train -- --where node|chromium --models resnet9,airbench --width 0.125 --batch 32 --steps 5 [--engines custom,stock,tfjs-layers] [--backend webgpu|cpu] [--json]
 * With --backend cpu every engine runs on tfjs's pure-JS backend instead (the old bench:train's cpu column).
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelName } from '../../src/lib/recipe/hyperparameters';
import { adapterName, createRunner, timeSteps, type Runner } from './engines';
import { BENCH_USAGE, BenchUsageError, parseBenchArgs, type BenchOptions, type EngineName } from './options';
import { backendMismatch, formatTable, jsonLine, label, ratios, type BenchRow } from './report';
import { interleave, median } from './timing';

interface Target {
  engine: EngineName;
  backend: 'webgpu' | 'webgl' | 'cpu';
}

/** One engine on one backend: in this process (Node) or in its own page (Chromium). */
interface Session {
  start(): Promise<{ backend: string; adapter: string; error?: string }>;
  init(model: ModelName): Promise<{ params: number; backend: string }>;
  block(steps: number): Promise<{ msPerStep: number; backend: string }>;
  dispose(): Promise<void>;
}

let options: BenchOptions;
try {
  options = parseBenchArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof BenchUsageError)) throw error;
  console.error(`bench:train: ${error.message}\n${BENCH_USAGE}`);
  process.exit(2);
}
const say = (line: string) => (options.json ? console.error(line) : console.log(line));

const targets: Target[] = options.engines.flatMap((engine): Target[] =>
  engine === 'tfjs-layers' && options.where === 'chromium' && options.backend === 'webgpu'
    ? [{ engine, backend: 'webgpu' }, { engine, backend: 'webgl' }]
    : [{ engine, backend: options.backend }],
);

async function nodeSessions(): Promise<{ sessions: Session[]; close(): Promise<void> }> {
  if (options.backend === 'webgpu') {
    await import('../../src/cli/node-gpu');
    await import('@tensorflow/tfjs-backend-webgpu');
  }
  const sessions = targets.map((target): Session => {
    let runner: Runner | undefined;
    return {
      async start() {
        let error: string | undefined;
        try {
          if (!(await tf.setBackend(target.backend))) error = `tf.setBackend('${target.backend}') returned false`;
          await tf.ready();
        } catch (e) {
          error = (e as Error).message;
        }
        return { backend: tf.getBackend() ?? '', adapter: tf.getBackend() ? adapterName() : '', error };
      },
      async init(model) {
        runner?.dispose();
        runner = await createRunner(target.engine, model, options.width, options.batch);
        return { params: runner.params, backend: tf.getBackend() };
      },
      async block(steps) {
        return { msPerStep: await timeSteps(runner!, steps), backend: tf.getBackend() };
      },
      async dispose() {
        runner?.dispose();
        runner = undefined;
      },
    };
  });
  return { sessions, close: async () => {} };
}

async function chromiumSessions(): Promise<{ sessions: Session[]; close(): Promise<void> }> {
  const { openBenchBrowser } = await import('./chromium-page');
  const browser = await openBenchBrowser();
  const sessions: Session[] = [];
  for (const target of targets) {
    const page = await browser.openPage();
    sessions.push({
      start: () => page.call('start', target.backend),
      init: (model) => page.call('init', target.engine, model, options.width, options.batch),
      block: (steps) => page.call('block', steps),
      dispose: () => page.call('dispose'),
    });
  }
  return { sessions, close: () => browser.close() };
}

function fail(line: string): never {
  console.error(`bench:train: ${line}`);
  process.exit(1);
}

const { sessions, close } = options.where === 'node' ? await nodeSessions() : await chromiumSessions();
const adapters: string[] = [];
for (const [i, session] of sessions.entries()) {
  const started = await session.start();
  const mismatch = backendMismatch({ engine: targets[i].engine, model: '(start)', requested: targets[i].backend, backend: started.backend, where: options.where });
  if (mismatch) {
    await close();
    fail(`${mismatch}${started.error ? ` (${started.error})` : ''}`);
  }
  adapters.push(started.adapter);
}
say(
  `bench:train in ${options.where}: width ${options.width}, batch ${options.batch}, ${options.warmup} warm-up step(s), then ${options.repetitions} interleaved repetitions of ${options.steps} timed steps; medians. Adapters: ${[...new Set(adapters)].join('; ')}`,
);

const rows: BenchRow[] = [];
for (const model of options.models) {
  const inits: { params: number; backend: string }[] = [];
  for (const session of sessions) inits.push(await session.init(model));
  if (options.warmup > 0) for (const session of sessions) await session.block(options.warmup);
  const seen = targets.map(() => new Set<string>());
  const times = await interleave(
    sessions.map((session, i) => async () => {
      const result = await session.block(options.steps);
      seen[i].add(result.backend);
      // Progress on stderr: on a software GPU a block can take minutes.
      console.error(`  ${model} ${label({ engine: targets[i].engine, requested: targets[i].backend })}: ${result.msPerStep.toFixed(0)} ms/step`);
      return result.msPerStep;
    }),
    options.repetitions,
  );
  const modelRows = targets.map((target, i): BenchRow => {
    const msPerStep = median(times[i]);
    return {
      engine: target.engine,
      model,
      requested: target.backend,
      backend: seen[i].size === 1 ? [...seen[i]][0] : [...seen[i]].join('+'),
      adapter: adapters[i],
      where: options.where,
      width: options.width,
      batch: options.batch,
      steps: options.steps,
      repetitions: options.repetitions,
      params: inits[i].params,
      msPerStep,
      imagesPerSec: (1000 * options.batch) / msPerStep,
      samples: times[i],
    };
  });
  for (const row of modelRows) {
    const mismatch = backendMismatch(row);
    if (mismatch) {
      await close();
      fail(mismatch);
    }
    if (options.json) console.log(jsonLine(row));
  }
  for (const session of sessions) await session.dispose();
  rows.push(...modelRows);
  if (!options.json) console.log(`\n${formatTable(modelRows)}`);
}
await close();

say('\nSpeed ratios (images/s over images/s; above 1 is faster):');
for (const r of ratios(rows)) say(`  ${r.model.padEnd(9)} ${r.of} / ${r.over}: ${r.ratio.toFixed(2)}`);
if (!rows.some((r) => r.engine === 'tfjs-layers')) say(`  (none: no tfjs-layers rows; engines run: ${targets.map((t) => label({ engine: t.engine, requested: t.backend })).join(', ')})`);
process.exit(0);
