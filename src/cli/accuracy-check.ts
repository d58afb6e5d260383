/**
 * Issue 11's opt-in real-data check: trains the same network on real CIFAR-10 with the engine's own
 * kernels and with tfjs's, from the same seed, and compares their accuracy on the full 10,000-image
 * test set. It trains for minutes, so it is its own command, never part of `npm test`:
 *   npm run check:accuracy -- --cifar DIR [--preset small|full] [--model M --width W --train N
 *     --epochs E --batch B --seed S --stock-seeds S1,S2 --tolerance POINTS]
 * Exit 0 when |custom − stock| ≤ tolerance (1 point), 1 when not, 2 on a bad command line.
 */
import { exitUsage, readFlags, UsageError, wholeNumberFlag, type FlagValues } from './args';
import { readTrainConfig, MODEL_NAMES, type RawHyperparameters, type TrainConfig } from '../lib/recipe/hyperparameters';
import type { DataSplits } from '../lib/data/splits';
import type { ImageDataset, ImageSet } from '../lib/data/image-set';
import { startBackend } from './start-backend';

const SCRIPT = 'check:accuracy';

/**
 * `small` fits the 2-core VM's SwiftShader: tiny-cnn trains there at about 35 images/s on either
 * engine, while resnet9 even at width 1/16 trains at 3 (stock) to 10 (custom) images/s, too slow to
 * learn anything in a quarter of an hour. `full` is the published resnet9 recipe on the whole pool,
 * for a GPU. docs/PERFORMANCE.md has the figures.
 */
const PRESETS = {
  small: { model: 'tiny-cnn', width: '16', train: '5000', epochs: '2', batch: '64', lr: '' },
  full: { model: 'resnet9', width: '1', train: '50000', epochs: '', batch: '', lr: '' },
} as const;

const USAGE = [
  `Usage: npm run ${SCRIPT} -- --cifar DIR [options]`,
  '',
  'Trains one network on real CIFAR-10 twice from the same seed, kernels=custom then kernels=stock,',
  'and compares their accuracy on the whole test set (10,000 images). Exit 1 when they differ by more',
  'than --tolerance points.',
  '',
  '  --cifar DIR             CIFAR-10 binary batches (data_batch_1..5.bin, test_batch.bin)',
  '  --preset small|full     small (default): tiny-cnn width 16, 5,000 images, 2 epochs, batch 64',
  "                          (minutes on SwiftShader); full: resnet9 at width 1 on 50,000 images, its recipe (a GPU)",
  `  --model ${MODEL_NAMES.join('|')}, --width W, --train N (training images, first N of the pool),`,
  '  --epochs E, --batch B, --lr X   override the preset (an empty preset value means the recipe default)',
  '  --seed S                seed of both runs (default 1)',
  '  --stock-seeds S1,S2     also train stock with these seeds, to show the seed-to-seed spread',
  '  --tolerance P           allowed difference in percentage points (default 1)',
].join('\n');

interface Options {
  dir: string;
  raw: RawHyperparameters;
  train: number;
  seed: number;
  stockSeeds: number[];
  tolerance: number;
}

function readOptions(argv: string[]): Options | 'help' {
  const names = ['cifar', 'preset', 'model', 'width', 'train', 'epochs', 'batch', 'lr', 'seed', 'stock-seeds', 'tolerance'];
  const specs = Object.fromEntries([...names.map((n) => [n, { type: 'string' as const }]), ['help', { type: 'boolean' as const, short: 'h' }]]);
  const { values } = readFlags(argv, specs);
  if (values.help) return 'help';
  const text = (name: string) => values[name] as string | undefined;
  const dir = text('cifar');
  if (!dir) throw new UsageError('invalid', '--cifar DIR is required (a folder of CIFAR-10 binary batches).');
  const presetName = text('preset') ?? 'small';
  if (!(presetName in PRESETS)) throw new UsageError('invalid', `--preset must be small or full; got ${presetName}.`);
  const preset: Record<string, string> = { ...PRESETS[presetName as keyof typeof PRESETS] };
  const pick = (name: string) => text(name) ?? preset[name] ?? '';
  const raw: RawHyperparameters = { model: pick('model'), data: 'cifar10', val_size: 500, kernels: 'custom' };
  for (const [flag, key] of [['width', 'width'], ['epochs', 'epochs'], ['batch', 'batch_size'], ['lr', 'lr']] as const) {
    if (pick(flag) !== '') raw[key] = pick(flag);
  }
  return {
    dir,
    raw,
    train: wholeNumberFlag('train', pick('train'), 1),
    seed: wholeNumberFlag('seed', text('seed') ?? '1', 0),
    stockSeeds: readSeeds(values),
    tolerance: readTolerance(text('tolerance') ?? '1'),
  };
}

function readSeeds(values: FlagValues): number[] {
  const list = values['stock-seeds'];
  if (typeof list !== 'string') return [];
  return list.split(',').map((s) => wholeNumberFlag('stock-seeds', s.trim(), 0));
}

function readTolerance(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new UsageError('invalid', `--tolerance must be a number of points ≥ 0; got "${text}".`);
  return value;
}

/** The first `count` images of the pool to train on, its last 500 to validate on (the epoch lines), the whole test set. */
function checkSplits(dataset: ImageDataset, count: number): DataSplits {
  const pool = dataset.train;
  const val = 500;
  const slice = (set: ImageSet, start: number, n: number): ImageSet => {
    const perImage = set.images.length / set.count;
    return { images: set.images.subarray(start * perImage, (start + n) * perImage), labels: set.labels.subarray(start, start + n), count: n };
  };
  // The validation images (only the epoch lines read them) are never trained on: --train 50000 trains on 49,500.
  const trainCount = Math.min(count, pool.count - val);
  return { train: slice(pool, 0, trainCount), val: slice(pool, pool.count - val, val), test: dataset.test };
}

interface Run {
  kernels: TrainConfig['kernels'];
  seed: number;
  testAccuracy: number;
}

async function main(): Promise<void> {
  let options: Options | 'help';
  let config: TrainConfig;
  try {
    options = readOptions(process.argv.slice(2));
    if (options === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return;
    }
    config = readTrainConfig(options.raw);
  } catch (error) {
    exitUsage(SCRIPT, (error as Error).message, error instanceof UsageError ? USAGE : undefined);
  }
  // The data first: a wrong folder answers before Dawn starts.
  const { loadCifarFolder } = await import('./cifar-folder');
  const data = checkSplits(await loadCifarFolder(options.dir), options.train);
  const started = await startBackend('webgpu');
  const device = `${started.info.backend}${started.adapter ? ` (${started.adapter})` : ''}`;
  const { train } = await import('../lib/train/loop');
  const { useKernels } = await import('../lib/train/kernels/registry');
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say(`Accuracy check on ${device}: ${config.model} width ${config.width}, ${data.train.count} training images, ${config.epochs} epochs, batch ${config.batchSize}, ${data.test.count} test images`);

  const runs: Run[] = [];
  const plan: [TrainConfig['kernels'], number][] = [['custom', options.seed], ['stock', options.seed], ...options.stockSeeds.map((s) => ['stock', s] as [TrainConfig['kernels'], number])];
  for (const [kernels, seed] of plan) {
    useKernels(kernels);
    const started = performance.now();
    const outcome = await train({ ...config, kernels }, data, seed, { log: (line) => say(`  [${kernels} seed ${seed}] ${line}`), shouldStop: () => false });
    if (outcome.status !== 'completed') throw new Error(`The ${kernels} run stopped before the end.`);
    runs.push({ kernels, seed, testAccuracy: outcome.testAccuracy });
    say(`${kernels} seed ${seed}: test accuracy ${(outcome.testAccuracy * 100).toFixed(2)} % (${Math.round((performance.now() - started) / 1000)} s)`);
  }
  const [custom, stock] = runs;
  const points = (custom.testAccuracy - stock.testAccuracy) * 100;
  const stockAll = runs.filter((r) => r.kernels === 'stock').map((r) => r.testAccuracy * 100);
  if (stockAll.length > 1) say(`stock over ${stockAll.length} seeds: ${stockAll.map((a) => a.toFixed(2)).join(', ')} % (spread ${(Math.max(...stockAll) - Math.min(...stockAll)).toFixed(2)} points)`);
  const ok = Math.abs(points) <= options.tolerance;
  say(`custom − stock = ${points >= 0 ? '+' : ''}${points.toFixed(2)} points (tolerance ±${options.tolerance}): ${ok ? 'PASS' : 'FAIL'}`);
  process.exitCode = ok ? 0 : 1;
}

main().then(
  // Dawn keeps the event loop alive; the run is over.
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    process.stderr.write(`${SCRIPT}: ${(error as Error).message ?? String(error)}\n`);
    process.exit(1);
  },
);
