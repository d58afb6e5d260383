/**
 * The command line of the one-shot GPU benchmark (`run.mjs gpu`): bench:train's flags with the GPU's
 * defaults (full width, batch 512, the three ResNets, custom against stock), plus the peak to
 * compare with, the time budget and where to write. Pure: a bad flag throws a BenchUsageError.
 */
import { readFlags, UsageError, type FlagValues } from '../../src/cli/args';
import { BenchUsageError, parseBenchArgs, type BenchOptions } from '../train/options';

/**
 * NVIDIA's H200 datasheet gives the SXM part 67 TFLOP/s of plain FP32 (no tensor cores), the rate
 * tfjs's WGSL kernels can reach at best; the H200 NVL part is rated 60.
 */
export const H200_FP32_PEAK = {
  tflops: 67,
  source: 'NVIDIA H200 Tensor Core GPU datasheet, H200 SXM, FP32 (non-tensor): 67 TFLOPS (https://www.nvidia.com/en-us/data-center/h200/)',
};

export interface GpuBenchOptions {
  /** What each model's bench:train run gets; `models` is the list run one after another. */
  bench: BenchOptions;
  peakTflops: number;
  peakSource: string;
  allowSoftware: boolean;
  /** Seconds for the whole run: a model that would start with less than MIN_MODEL_SECONDS left is skipped. */
  budgetSeconds: number;
  trainImages: number;
  outDir: string;
}

export const GPU_BENCH_USAGE =
  'Usage: run.mjs gpu [--models resnet9,airbench,resnet18] [--width 1] [--batch 512] [--steps 5] [--repetitions 3] [--warmup 2] [--engines custom,stock] ' +
  '[--peak-tflops 67] [--allow-software] [--budget-s 420] [--train-images 50000] [--out DIR (default $OUT, else ./gpu-out)]';

const DEFAULTS: Record<string, string> = {
  models: 'resnet9,airbench,resnet18',
  width: '1',
  batch: '512',
  steps: '5',
  repetitions: '3',
  warmup: '2',
  engines: 'custom,stock',
};

const SPECS = {
  ...Object.fromEntries(Object.keys(DEFAULTS).map((name) => [name, { type: 'string' }])),
  'peak-tflops': { type: 'string' },
  'allow-software': { type: 'boolean' },
  'budget-s': { type: 'string' },
  'train-images': { type: 'string' },
  out: { type: 'string' },
} as const;

export function parseGpuBenchArgs(argv: string[], env: Record<string, string | undefined> = {}): GpuBenchOptions {
  let flags: FlagValues;
  try {
    flags = readFlags(argv, SPECS as Record<string, { type: 'string' | 'boolean' }>).values;
  } catch (error) {
    if (error instanceof UsageError) throw new BenchUsageError(`${error.message}.`);
    throw error;
  }
  const benchArgs = Object.keys(DEFAULTS).flatMap((name) => [`--${name}`, String(flags[name] ?? DEFAULTS[name])]);
  const bench = parseBenchArgs(['--where', 'node', '--backend', 'webgpu', ...benchArgs]);
  const peak = positive(flags['peak-tflops'], H200_FP32_PEAK.tflops, '--peak-tflops');
  return {
    bench,
    peakTflops: peak,
    peakSource: flags['peak-tflops'] === undefined ? H200_FP32_PEAK.source : `given with --peak-tflops ${peak}`,
    allowSoftware: flags['allow-software'] === true,
    budgetSeconds: positive(flags['budget-s'], 420, '--budget-s'),
    trainImages: Math.round(positive(flags['train-images'], 50_000, '--train-images')),
    outDir: (flags.out as string | undefined) ?? env.OUT ?? './gpu-out',
  };
}

/** The command line of one model's bench:train run. */
export function benchArgsFor(options: BenchOptions, model: string): string[] {
  const o = options;
  return ['--where', 'node', '--backend', 'webgpu', '--models', model, '--width', String(o.width), '--batch', String(o.batch), '--steps', String(o.steps),
    '--repetitions', String(o.repetitions), '--warmup', String(o.warmup), '--engines', o.engines.join(','), '--json'];
}

function positive(value: string | boolean | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new BenchUsageError(`${flag} must be a number above 0; got ${String(value)}.`);
  return n;
}
