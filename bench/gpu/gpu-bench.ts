/**
 * The one-shot GPU benchmark: names the adapter (and refuses a software one), traces each model's
 * FLOPs on the cpu backend, then runs bench:train's Node path once per model in a child process,
 * each with what is left of the time budget, so a model that hangs or runs long costs only itself.
 * After every model it rewrites summary.json and summary.txt in the output folder, so whatever
 * finished before a kill still comes back.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { BenchRow } from '../train/report';
import { BENCH_USAGE, BenchUsageError } from '../train/options';
import { describeAdapter, judgeAdapter, type AdapterFacts } from './adapter';
import { recipeEpochs } from './extrapolate';
import { benchArgsFor, GPU_BENCH_USAGE, parseGpuBenchArgs, type GpuBenchOptions } from './options';
import { CONVENTIONS, engineFigures, formatSummary, modelSummary, type GpuSummary } from './summary';
import { traceModelFlops } from './trace';

/** Below this many seconds left, a model's run is not started: compiling its shaders alone can take that long. */
const MIN_MODEL_SECONDS = 30;
/** Kept back from the budget to write the summary after the last child is stopped. */
const MARGIN_SECONDS = 5;

async function probeAdapter(): Promise<AdapterFacts | undefined> {
  await import('../../src/cli/node-gpu');
  const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return undefined;
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  return { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description, isFallbackAdapter: info.isFallbackAdapter };
}

interface ChildResult {
  rows: BenchRow[];
  code: number | null;
  timedOut: boolean;
  lastError?: string;
}

/** One model's bench:train in its own process: this entry again, in `bench` mode. */
function runBenchChild(args: string[], timeoutMs: number, log: WriteStream): Promise<ChildResult> {
  const entry = process.argv[1];
  const child = spawn(process.execPath, [...process.execArgv, entry, 'bench', '--', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const rows: BenchRow[] = [];
  let lastError: string | undefined;
  let timedOut = false;
  const lines = (stream: NodeJS.ReadableStream, onLine: (line: string) => void) => {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop()!;
      parts.forEach(onLine);
    });
    stream.on('end', () => rest && onLine(rest));
  };
  lines(child.stdout, (line) => {
    log.write(`${line}\n`);
    if (line.startsWith('{')) rows.push(JSON.parse(line) as BenchRow);
  });
  lines(child.stderr, (line) => {
    log.write(`${line}\n`);
    process.stderr.write(`  | ${line}\n`);
    if (/error|bench:train:/i.test(line)) lastError = line.trim();
  });
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  }, timeoutMs);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ rows, code, timedOut, lastError });
    });
  });
}

export async function runGpuBench(argv: string[]): Promise<number> {
  const started = performance.now();
  let options: GpuBenchOptions;
  try {
    options = parseGpuBenchArgs(argv, process.env);
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    console.error(`gpu-bench: ${error.message}\n${GPU_BENCH_USAGE}\n(model flags as in ${BENCH_USAGE.replace('Usage: ', '')})`);
    return 2;
  }
  const { bench } = options;
  mkdirSync(options.outDir, { recursive: true });
  rmSync(join(options.outDir, 'refused.txt'), { force: true });
  const log = createWriteStream(join(options.outDir, 'gpu-bench.log'));
  const elapsed = () => (performance.now() - started) / 1000;

  const info = await probeAdapter();
  const verdict = judgeAdapter(info, options.allowSoftware);
  const adapterName = info ? describeAdapter(info) : 'none';
  console.log(`gpu-bench: adapter ${adapterName}`);
  if (!verdict.ok) {
    console.error(`gpu-bench: ${verdict.message}`);
    writeFileSync(join(options.outDir, 'refused.txt'), `${verdict.message}\n`);
    log.end();
    return 3;
  }
  if (verdict.note) console.log(`gpu-bench: ${verdict.note}`);

  const summary: GpuSummary = {
    tool: 'tabtune gpu benchmark',
    startedAt: new Date().toISOString(),
    seconds: 0,
    adapter: { name: adapterName, software: verdict.software, note: verdict.note, info: { ...info } },
    peak: { tflops: options.peakTflops, source: options.peakSource },
    settings: { width: bench.width, batch: bench.batch, warmup: bench.warmup, steps: bench.steps, repetitions: bench.repetitions, engines: bench.engines, data: 'synthetic', trainImages: options.trainImages },
    conventions: CONVENTIONS,
    models: [],
  };
  const save = () => {
    summary.seconds = elapsed();
    writeFileSync(join(options.outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    writeFileSync(join(options.outDir, 'summary.txt'), formatSummary(summary));
  };

  for (const model of bench.models) {
    const flops = await traceModelFlops(model, bench.width, true);
    const epochs = recipeEpochs(model);
    summary.models.push(modelSummary(model, epochs, { forward: flops.forwardPerImage, step: flops.tracedStepPerImage }, bench.batch));
  }
  console.log(`gpu-bench: FLOPs traced in ${elapsed().toFixed(1)} s; writing to ${options.outDir}`);
  save();

  for (const entry of summary.models) {
    const left = options.budgetSeconds - elapsed() - MARGIN_SECONDS;
    if (left < MIN_MODEL_SECONDS) {
      entry.error = `${left.toFixed(0)} s of the ${options.budgetSeconds} s budget left`;
      console.log(`gpu-bench: ${entry.model} skipped: ${entry.error}`);
      continue;
    }
    console.log(`gpu-bench: ${entry.model}: bench:train with ${left.toFixed(0)} s left`);
    const result = await runBenchChild(benchArgsFor(bench, entry.model), left * 1000, log);
    const rows = result.rows.filter((r) => r.model === entry.model);
    entry.params = rows[0]?.params;
    entry.engines = rows.map((row) => engineFigures(row, entry.forwardFlopsPerImage, entry.epochs, options.peakTflops, options.trainImages));
    if (result.code === 0 && rows.length === bench.engines.length) entry.status = 'measured';
    else {
      entry.status = 'failed';
      entry.error = result.timedOut ? `stopped at the time budget after ${elapsed().toFixed(0)} s` : `exit ${result.code}${result.lastError ? `: ${result.lastError}` : ''}`;
    }
    save();
    console.log(`gpu-bench: ${entry.model} ${entry.status}${entry.error ? ` (${entry.error})` : ''}`);
  }
  save();
  log.end();
  process.stdout.write(`\n${formatSummary(summary)}`);
  return summary.models.some((m) => m.status === 'measured') ? 0 : 1;
}

