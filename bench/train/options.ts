/**
 * The command line of `npm run bench:train`, read into checked options. Pure: a bad flag throws a
 * BenchUsageError with the line to print, and nothing else happens.
 */
import { readFlags, UsageError, type FlagValues } from '../../src/cli/args';
import { MODEL_NAMES, type ModelName } from '../../src/lib/recipe/hyperparameters';

/** `custom`: this engine on its own kernels; `stock`: on tfjs's kernels; `tfjs-layers`: the same network as a tf.LayersModel. */
export const ENGINE_NAMES = ['custom', 'stock', 'tfjs-layers'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];
export const WHERE = ['node', 'chromium'] as const;
export type Where = (typeof WHERE)[number];

export const BACKENDS = ['webgpu', 'cpu'] as const;
export type Backend = (typeof BACKENDS)[number];

export interface BenchOptions {
  where: Where;
  /** The backend every engine runs on; in Chromium, tfjs-layers on webgpu also runs on webgl. */
  backend: Backend;
  models: ModelName[];
  width: number;
  batch: number;
  /** Timed steps per repetition (after warm-up). */
  steps: number;
  repetitions: number;
  warmup: number;
  engines: EngineName[];
  json: boolean;
}

export class BenchUsageError extends Error {}

export const BENCH_USAGE =
  'Usage: npm run bench:train -- [--where node|chromium] [--models resnet9,airbench,...] [--width 0.125] [--batch 32] [--steps 5] [--engines custom,stock,tfjs-layers] [--backend webgpu|cpu] [--repetitions 3] [--warmup 1] [--json]';

const SPECS = {
  where: { type: 'string' },
  models: { type: 'string' },
  width: { type: 'string' },
  batch: { type: 'string' },
  steps: { type: 'string' },
  engines: { type: 'string' },
  backend: { type: 'string' },
  repetitions: { type: 'string' },
  warmup: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export function parseBenchArgs(argv: string[]): BenchOptions {
  let flags: FlagValues;
  try {
    flags = readFlags(argv, SPECS).values;
  } catch (error) {
    if (error instanceof UsageError) throw new BenchUsageError(`${error.message}.`);
    throw error;
  }
  const text = (name: keyof typeof SPECS) => flags[name] as string | undefined;
  const where = text('where') ?? 'node';
  if (!(WHERE as readonly string[]).includes(where)) throw new BenchUsageError(`--where must be node or chromium; got ${where}.`);
  const backend = text('backend') ?? 'webgpu';
  if (!(BACKENDS as readonly string[]).includes(backend)) throw new BenchUsageError(`--backend must be webgpu or cpu; got ${backend}.`);
  const models = list(text('models') ?? 'resnet9,airbench', '--models');
  const unknownModels = models.filter((m) => !(MODEL_NAMES as readonly string[]).includes(m));
  if (unknownModels.length) throw new BenchUsageError(`unknown model ${unknownModels.join(', ')} (models: ${MODEL_NAMES.join(', ')}).`);
  const engines = list(text('engines') ?? ENGINE_NAMES.join(','), '--engines');
  const unknownEngines = engines.filter((e) => !(ENGINE_NAMES as readonly string[]).includes(e));
  if (unknownEngines.length) throw new BenchUsageError(`unknown engine ${unknownEngines.join(', ')} (engines: ${ENGINE_NAMES.join(', ')}).`);
  const width = Number(text('width') ?? 0.125);
  if (!(width > 0) || !Number.isFinite(width)) throw new BenchUsageError(`--width must be a number above 0; got ${text('width')}.`);
  return {
    where: where as Where,
    backend: backend as Backend,
    models: models as ModelName[],
    width,
    batch: whole(text('batch'), 32, '--batch', 1),
    steps: whole(text('steps'), 5, '--steps', 1),
    repetitions: whole(text('repetitions'), 3, '--repetitions', 1),
    warmup: whole(text('warmup'), 1, '--warmup', 0),
    engines: engines as EngineName[],
    json: flags.json === true,
  };
}

function list(value: string, flag: string): string[] {
  const items = value.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new BenchUsageError(`${flag} takes a comma-separated list without empty items; got "${value}".`);
  return [...new Set(items)];
}

function whole(value: string | undefined, fallback: number, flag: string, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new BenchUsageError(`${flag} must be a whole number ≥ ${min}; got ${value}.`);
  return n;
}
