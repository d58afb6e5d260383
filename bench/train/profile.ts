/**
 * `npm run bench:profile`: where one training step's time goes, per tfjs kernel, in Node on Dawn.
 *   npm run bench:profile -- --models resnet9,airbench --width 0.125 --batch 8 [--engine custom|stock|tfjs-layers] [--top 10] [--timer gpu|program|wall] [--list] [--json]
 * Kernel times come from tf.profile, whose webgpu backend times every dispatch with the
 * `timestamp-query` feature when the adapter has it (SwiftShader does). Should they read 0, or with
 * --timer wall, each dispatch is submitted alone and timed by wall clock between
 * queue.onSubmittedWorkDone() completions, ranked by WebGPU program instead of tfjs kernel.
 * tf.profile only times dispatches made inside a registered kernel, so the engine's composite ops
 * (fused BatchNorm, loss, SGD update, batch assembly) are missing from its figures; --timer program
 * times every dispatch of the step with timestamp queries and ranks by WebGPU program; with --list
 * it also prints each dispatch in order with its time and its tensors' shapes.
 * Dispatches and queue submissions per step are counted on a separate, unprofiled step, since
 * profiling submits every dispatch alone.
 */
import * as tf from '@tensorflow/tfjs';
import { exitUsage, readFlags, UsageError } from '../../src/cli/args';
import { MODEL_NAMES, type ModelName } from '../../src/lib/recipe/hyperparameters';
import { LOOKAHEAD_EVERY } from '../../src/lib/train/ema';
import { adapterName, createRunner, type Runner } from './engines';
import { durationsFromCompletions, formatRanking, programName, rankKernels, type KernelTime } from './kernel-profile';

const USAGE = 'Usage: npm run bench:profile -- [--models resnet9,airbench] [--width 0.125] [--batch 8] [--engine custom|stock|tfjs-layers] [--top 10] [--timer gpu|program|wall] [--list] [--json]';

function usageError(message: string): never {
  exitUsage('bench:profile', message, USAGE);
}

let flags: Record<string, string | boolean | undefined> = {};
try {
  ({ values: flags } = readFlags(process.argv.slice(2), {
    models: { type: 'string' }, width: { type: 'string' }, batch: { type: 'string' }, engine: { type: 'string' }, top: { type: 'string' }, timer: { type: 'string' }, list: { type: 'boolean' }, json: { type: 'boolean' },
  }));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  usageError(`${error.message}.`);
}
const models = String(flags.models ?? 'resnet9,airbench').split(',') as ModelName[];
const width = Number(flags.width ?? 0.125);
const batch = Number(flags.batch ?? 8);
const top = Number(flags.top ?? 10);
const engine = String(flags.engine ?? 'stock');
const timer = String(flags.timer ?? 'gpu');
const json = flags.json === true;
const list = flags.list === true;
const unknown = models.filter((m) => !(MODEL_NAMES as readonly string[]).includes(m));
if (unknown.length) usageError(`unknown model ${unknown.join(', ')} (models: ${MODEL_NAMES.join(', ')}).`);
if (!(width > 0)) usageError(`--width must be above 0; got ${String(flags.width)}.`);
if (!Number.isInteger(batch) || batch < 1) usageError(`--batch must be a whole number ≥ 1; got ${String(flags.batch)}.`);
if (!Number.isInteger(top) || top < 1) usageError(`--top must be a whole number ≥ 1; got ${String(flags.top)}.`);
if (engine !== 'custom' && engine !== 'stock' && engine !== 'tfjs-layers') usageError(`--engine must be custom, stock or tfjs-layers; got ${engine}.`);
if (timer !== 'gpu' && timer !== 'program' && timer !== 'wall') usageError(`--timer must be gpu, program or wall; got ${timer}.`);

await import('../../src/cli/node-gpu');
await import('@tensorflow/tfjs-backend-webgpu');
if (!(await tf.setBackend('webgpu')) || tf.getBackend() !== 'webgpu') {
  console.error(`bench:profile: the webgpu backend did not start (tfjs runs on ${tf.getBackend()}).`);
  process.exit(1);
}
await tf.ready();

/** The parts of tfjs-backend-webgpu's backend this script hooks into (not in its public types). */
interface WebGpuBackendInternals {
  supportTimestampQuery: boolean;
  /** While set, recordAndSubmit gives every dispatch its own timestamped pass and pushes its query here. */
  activeTimers: { name: string; query: Promise<number> }[] | null;
  queue: GPUQueue;
  commandEncoder: GPUCommandEncoder | null;
  recordAndSubmit(program: object, ...rest: unknown[]): void;
  submitQueue(): void;
  endComputePassEncoder(): void;
}
const backend = tf.backend() as unknown as WebGpuBackendInternals;
const originalRecord = backend.recordAndSubmit;
const originalSubmit = backend.submitQueue;

async function runStep(runner: Runner): Promise<void> {
  const loss = runner.step();
  await loss.data();
  loss.dispose();
}

/** Dispatches and queue submissions of one ordinary step (or of `work`, e.g. the lookahead update). */
async function countStep(runner: Runner, work: () => Promise<void> = () => runStep(runner)): Promise<{ dispatches: number; submits: number }> {
  let dispatches = 0;
  let submits = 0;
  backend.recordAndSubmit = function (this: WebGpuBackendInternals, ...args) {
    dispatches++;
    return originalRecord.apply(this, args);
  };
  backend.submitQueue = function (this: WebGpuBackendInternals) {
    submits++;
    return originalSubmit.apply(this);
  };
  try {
    await work();
  } finally {
    backend.recordAndSubmit = originalRecord;
    backend.submitQueue = originalSubmit;
  }
  return { dispatches, submits };
}

/** tf.profile's per-kernel times (timestamp queries on webgpu). */
async function gpuTimes(runner: Runner): Promise<KernelTime[]> {
  const info = await tf.profile(() => runStep(runner));
  return info.kernels.map((k) => ({ name: k.name, ms: Number(k.kernelTimeMs) || 0 }));
}

/** Wall-clock fallback: each dispatch submitted alone, timed between queue completions; named by program. */
async function wallTimes(runner: Runner): Promise<KernelTime[]> {
  const names: string[] = [];
  const done: Promise<number>[] = [];
  backend.recordAndSubmit = function (this: WebGpuBackendInternals, program, ...rest) {
    originalRecord.call(this, program, ...rest);
    if (this.commandEncoder) {
      this.endComputePassEncoder();
      this.submitQueue();
    }
    names.push(programName(program));
    done.push(this.queue.onSubmittedWorkDone().then(() => performance.now()));
  };
  const start = performance.now();
  try {
    await runStep(runner);
  } finally {
    backend.recordAndSubmit = originalRecord;
  }
  const durations = durationsFromCompletions(start, await Promise.all(done));
  return names.map((name, i) => ({ name, ms: durations[i] }));
}

/** Every dispatch of the step timed by timestamp queries (as tf.profile does inside kernels), named by program. */
async function programTimes(runner: Runner): Promise<KernelTime[]> {
  const names: string[] = [];
  const shapes: string[] = [];
  backend.activeTimers = [];
  backend.recordAndSubmit = function (this: WebGpuBackendInternals, program, ...rest) {
    originalRecord.call(this, program, ...rest);
    names.push(programName(program));
    const [output, inputs] = rest as [{ shape: number[] }, { shape: number[] }[]];
    shapes.push(`${inputs.map((t) => `[${t.shape}]`).join(' ')} → [${output.shape}]`);
  };
  let timers: { query: Promise<number> }[];
  try {
    await runStep(runner);
  } finally {
    backend.recordAndSubmit = originalRecord;
    timers = backend.activeTimers ?? [];
    backend.activeTimers = null;
  }
  const ms = await Promise.all(timers.map((t) => t.query));
  if (list) names.forEach((name, i) => console.log(`  ${String(i).padStart(3)}  ${(ms[i] ?? 0).toFixed(2).padStart(9)} ms  ${name}  ${shapes[i]}`));
  return names.map((name, i) => ({ name, ms: ms[i] ?? 0 }));
}

if (!json) {
  console.log(`bench:profile in node on ${adapterName()}: engine ${engine}, width ${width}, batch ${batch}; timestamp-query ${backend.supportTimestampQuery ? 'on' : 'unavailable'}`);
}
for (const model of models) {
  const runner = await createRunner(engine, model, width, batch);
  await runStep(runner); // warm-up: shader compilation
  const counts = await countStep(runner);
  const lookahead = runner.lookahead;
  const lookaheadCounts = lookahead ? await countStep(runner, async () => lookahead()) : undefined;
  const evaluate = runner.evaluate;
  if (evaluate) await evaluate(); // warm-up: shaders, and the evaluated set made resident
  const evalCounts = evaluate ? await countStep(runner, async () => void (await evaluate())) : undefined;
  const wallStart = performance.now();
  let kernels = timer === 'gpu' ? await gpuTimes(runner) : timer === 'program' ? await programTimes(runner) : [];
  let profiledWallMs = performance.now() - wallStart;
  let used = timer;
  if (timer !== 'wall' && kernels.every((k) => k.ms === 0)) {
    console.error(`bench:profile: ${model}: kernel times read 0 (no timestamp-query?); timing dispatches by wall clock instead.`);
    used = 'wall';
  }
  if (used === 'wall') {
    const start = performance.now();
    kernels = await wallTimes(runner);
    profiledWallMs = performance.now() - start;
  }
  runner.dispose();
  const ranking = rankKernels(kernels);
  const kernelMs = kernels.reduce((sum, k) => sum + k.ms, 0);
  if (json) {
    console.log(JSON.stringify({
      model, engine, backend: tf.getBackend(), adapter: adapterName(), where: 'node', width, batch, timer: used === 'gpu' ? 'timestamp-query' : used === 'program' ? 'timestamp-query per dispatch' : 'wall-clock',
      dispatchesPerStep: counts.dispatches, submitsPerStep: counts.submits, lookaheadDispatches: lookaheadCounts?.dispatches, evalDispatches: evalCounts?.dispatches, kernelsPerStep: kernels.length, kernelMs, profiledWallMs, kernels: ranking,
    }));
    continue;
  }
  console.log(
    `\n${model}: ${counts.dispatches} dispatches and ${counts.submits} queue submissions per step; ${kernels.length} ${used === 'gpu' ? 'tfjs kernels' : 'dispatches'}, ` +
      `${kernelMs.toFixed(1)} ms of ${used === 'wall' ? 'wall-clock dispatch time' : used === 'gpu' ? 'timestamp-query kernel time' : 'timestamp-query dispatch time'} (the profiled step took ${profiledWallMs.toFixed(0)} ms)`,
  );
  if (lookaheadCounts) console.log(`lookahead update (every ${LOOKAHEAD_EVERY} steps in the loop, not in the step above): ${lookaheadCounts.dispatches} dispatches`);
  if (evalCounts) console.log(`evaluation of one batch with the recipe's TTA (not in the step above): ${evalCounts.dispatches} dispatches`);
  console.log(formatRanking(ranking, top));
}
process.exit(0);
