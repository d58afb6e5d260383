/**
 * Trains one network in Node, on Dawn's WebGPU or the tfjs CPU backend, with the engine the page uses:
 *   npm run train -- --model M --data DIR|synthetic [--epochs E --batch B --width W --limit N --seed S ...]
 * stdout carries the engine's log lines and a summary; a bad flag or value is one line on stderr and exit 2.
 */
import type { BackendName } from '../lib/device/backend-info';
import type { DataSplits } from '../lib/data/splits';
import { readFlags, UsageError, type FlagSpecs, type FlagValues } from './args';
import { defaultFor, HYPERPARAMETERS, MODEL_NAMES, readTrainConfig, TEST_ONLY, type HyperparameterSpec, type RawHyperparameters, type TrainConfig } from '../lib/recipe/hyperparameters';
import type { ImageDataset } from '../lib/data/image-set';
import type { EpochReport } from '../lib/train/loop';
import { startNodeBackend } from './start-backend';

const TARGET = 0.94;
const BACKENDS: BackendName[] = ['webgpu', 'cpu'];
/** The worker's failure injection is no part of a training recipe. */
const HIDDEN = new Set([...TEST_ONLY, 'data']);
const ALIASES: Record<string, string> = { batch: 'batch_size' };

interface Options {
  raw: RawHyperparameters;
  dataDir?: string;
  seed: number;
  backend: BackendName;
}

/** Every flag in snake_case and kebab-case, plus the aliases. */
function flagSpecs(): FlagSpecs {
  const names = [...HYPERPARAMETERS.filter((s) => !HIDDEN.has(s.name)).map((s) => s.name), 'data', 'seed', 'backend', ...Object.keys(ALIASES)];
  const specs: FlagSpecs = { help: { type: 'boolean', short: 'h' } };
  for (const name of names) specs[name] = specs[name.replace(/_/g, '-')] = { type: 'string' };
  return specs;
}

function readOptions(argv: string[]): Options | 'help' {
  let values: FlagValues;
  try {
    ({ values } = readFlags(argv, flagSpecs()));
  } catch (error) {
    if (error instanceof UsageError && error.kind !== 'missing-value') throw new UsageError(error.kind, `${error.message} (see --help).`);
    throw new UsageError('invalid', `${(error as Error).message}.`);
  }
  if (values.help) return 'help';
  const raw: RawHyperparameters = {};
  let dataDir: string | undefined;
  let seed = 0;
  let backend: BackendName = 'webgpu';
  for (const [flag, value] of Object.entries(values) as [string, string][]) {
    const name = ALIASES[flag.replace(/-/g, '_')] ?? flag.replace(/-/g, '_');
    if (name === 'data') {
      raw.data = value === 'synthetic' ? 'synthetic' : 'cifar10';
      dataDir = value === 'synthetic' ? undefined : value;
    } else if (name === 'seed') {
      seed = Number(value);
      if (!Number.isSafeInteger(seed) || seed < 0) throw new UsageError('invalid', `--seed must be a whole number ≥ 0; got ${value}.`);
    } else if (name === 'backend') {
      if (!BACKENDS.includes(value as BackendName)) throw new UsageError('invalid', `--backend must be one of ${BACKENDS.join(', ')}; got ${value}.`);
      backend = value as BackendName;
    } else raw[name] = value;
  }
  return { raw, dataDir, seed, backend };
}

function usage(): string {
  const describe = (spec: HyperparameterSpec) => {
    const base = defaultFor(spec, 'tiny-cnn');
    const presets = Object.entries(spec.presets ?? {}).map(([model, value]) => `${model} ${String(value)}`);
    const kind = spec.kind === 'choice' ? spec.choices!.join('|') : spec.kind === 'boolean' ? 'true|false' : spec.kind === 'integer' ? 'N' : 'X';
    return column(`--${spec.name} ${kind}`, `${spec.help} (default ${String(base)}${presets.length ? `; ${presets.join(', ')}` : ''})`);
  };
  return [
    'Usage: npm run train -- --model M --data DIR|synthetic [options]',
    '',
    'Trains one network with the engine of the page and prints its log lines. Flags accept',
    'snake_case or kebab-case names (--batch-size, --batch_size, --batch). Defaults depend on',
    `--model (${MODEL_NAMES.join(', ')}): each model defaults to its published recipe.`,
    '',
    column('--data DIR|synthetic', 'a CIFAR-10 binary folder (data_batch_*.bin, test_batch.bin) or the synthetic set (default synthetic)'),
    column('--backend webgpu|cpu', 'tfjs backend; webgpu runs on Dawn (default webgpu)'),
    column('--seed N', 'trial seed: initial weights, order, augmentation (default 0)'),
    ...HYPERPARAMETERS.filter((s) => !HIDDEN.has(s.name)).map(describe),
    '',
    'With real data the test set is also measured after every epoch, to report the training time to 94% test accuracy.',
  ].join('\n');
}

function column(flag: string, text: string): string {
  const left = `  ${flag}`;
  return `${left.length >= 42 ? `${left}  ` : left.padEnd(44)}${text}`;
}

async function loadData(config: TrainConfig, dataDir: string | undefined): Promise<DataSplits> {
  const { splitDataset, syntheticSplits } = await import('../lib/data/splits');
  if (!dataDir) return syntheticSplits({ train: config.trainSize, val: config.valSize, test: config.testSize });
  // Imported by URL so that this CLI builds before the folder loader exists.
  const loader = (await import(new URL('./cifar-folder.ts', import.meta.url).href)) as {
    loadCifarFolder(dir: string, options: { limit?: number }): Promise<ImageDataset>;
  };
  const dataset = await loader.loadCifarFolder(dataDir, { limit: config.limit > 0 ? config.limit : undefined });
  return splitDataset(dataset, { valSize: config.valSize, limit: config.limit });
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  if (options === 'help') {
    process.stdout.write(`${usage()}\n`);
    return;
  }
  let config: TrainConfig;
  try {
    config = readTrainConfig(options.raw);
  } catch (error) {
    throw new UsageError('invalid', (error as Error).message);
  }
  // tfjs loads only now, so that usage errors answer at once.
  const { train } = await import('../lib/train/loop');
  const device = await startNodeBackend(options.backend);
  const data = await loadData(config, options.dataDir);
  const { useKernels } = await import('../lib/train/kernels/registry');
  useKernels(config.kernels);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say(`Model ${config.model} (width ${config.width}), backend ${device}, seed ${options.seed}`);
  say(`Data ${config.data}: ${data.train.count} training, ${data.val.count} validation, ${data.test.count} test images`);

  const reports: EpochReport[] = [];
  let reached: EpochReport | undefined;
  const outcome = await train(config, data, options.seed, {
    log: say,
    shouldStop: () => false,
    testEachEpoch: options.dataDir !== undefined,
    onEpoch: (report) => {
      reports.push(report);
      if (!reached && (report.testAccuracy ?? 0) >= TARGET) {
        reached = report;
        say(`Reached ${TARGET * 100}% test accuracy at epoch ${report.epoch} after ${report.trainSeconds.toFixed(1)} s of training`);
      }
    },
  });
  if (outcome.status !== 'completed') return;
  // The first epoch pays for shader compilation and warm-up; leave it out of the rate where there are others.
  const steady = reports.length > 1 ? reports.slice(1) : reports;
  const rate = steady.reduce((s, r) => s + r.imagesPerSecond, 0) / steady.length;
  say(`Images/s=${rate.toFixed(1)} (mean over epoch${steady.length > 1 ? 's' : ''} ${steady[0].epoch}${steady.length > 1 ? `-${steady.at(-1)!.epoch}` : ''}), training seconds=${reports.at(-1)!.trainSeconds.toFixed(1)}`);
  if (options.dataDir) {
    const best = Math.max(...reports.map((r) => r.testAccuracy ?? 0));
    say(reached ? `Time to ${TARGET * 100}% test accuracy: ${reached.trainSeconds.toFixed(1)} s (epoch ${reached.epoch})` : `Time to ${TARGET * 100}% test accuracy: not reached (best ${best.toFixed(4)})`);
  }
}

main().then(
  // Dawn keeps the event loop alive; the run is over.
  () => process.exit(0),
  (error: unknown) => {
    const usageError = error instanceof UsageError;
    process.stderr.write(`train: ${(error as Error).message ?? String(error)}\n`);
    process.exit(usageError ? 2 : 1);
  },
);
