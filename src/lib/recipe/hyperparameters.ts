import type { CategoryValue } from '../space';

/**
 * The version of what a set of hyperparameters means, printed on each trial's Hyperparameters line.
 * Bump it whenever a default, a preset or a rule changes, or the engine reads a value differently,
 * so that a recorded trial's values still say which recipe they were resolved under.
 */
export const RECIPE_VERSION = 2;

export const MODEL_NAMES = ['tiny-cnn', 'resnet9', 'airbench', 'resnet18'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];
export type TtaMode = 'none' | 'flip' | 'flip-translate';
export type FlipMode = 'none' | 'random' | 'alternating';

/** The training recipe of one trial, after defaults and checks. */
export interface TrainConfig {
  model: ModelName;
  data: 'synthetic' | 'cifar10';
  /** Synthetic sizes; for cifar10 trainSize is 0 (the rest of the pool) and valSize the held-out count before `limit` scales it. */
  trainSize: number;
  valSize: number;
  testSize: number;
  /** Only the first `limit` training images and at most `limit` test images; 0 means all. */
  limit: number;
  batchSize: number;
  epochs: number;
  /** Channel multiplier (1 = the published network); for tiny-cnn, the channel count of its first conv. */
  width: number;
  optimizer: 'sgd' | 'nag';
  lr: number;
  momentum: number;
  /** How far momentum dips below `momentum` at the peak learning rate (0 = no cycling). */
  momentumCycle: number;
  /** Decoupled: every step multiplies the weights by 1 − lr_t · weightDecay. */
  weightDecay: number;
  /** Fraction of the steps spent warming up to the peak learning rate. */
  warmup: number;
  lrStartFactor: number;
  lrEndFactor: number;
  labelSmoothing: number;
  bnBiasLr: number;
  ema: boolean;
  emaDecay: number;
  /** airbench's lookahead: every 5 steps the weights move to an EMA of themselves (decay 0.95⁵·(t/T)³). */
  lookahead: boolean;
  /** airbench only: the whitening conv's bias learns for this many epochs, then is frozen. */
  whitenBiasEpochs: number;
  tta: TtaMode;
  cropPad: number;
  flip: FlipMode;
  cutout: number;
  /** `custom`: the engine's own WebGPU kernels where they apply (src/lib/train/kernels); `stock`: tfjs's. */
  kernels: 'custom' | 'stock';
  /** What the fused BatchNorm keeps for its backward pass (kernels=custom, webgpu): x in f32, or x̂ in f16 (half the bytes). */
  activationStorage: 'f32' | 'f16';
  /** What the convolutions compute in (kernels=custom, webgpu, a device with shader-f16; f32 elsewhere, said in the log). */
  computePrecision: 'f32' | 'f16';
  /** For tests of the failure paths: make the worker crash or lose its GPU device mid-trial. */
  fault: 'none' | 'crash' | 'device-lost';
}

export type RawValue = CategoryValue | boolean | undefined;
export type RawHyperparameters = Record<string, RawValue>;
type Value = string | number | boolean;

/** One hyperparameter as the CLI and the tuner see it. */
export interface HyperparameterSpec {
  name: string;
  key: keyof TrainConfig;
  kind: 'number' | 'integer' | 'choice' | 'boolean';
  choices?: readonly string[];
  /** The default for tiny-cnn and any model without its own value in `presets`. */
  fallback: Value;
  /** Each model's published recipe, so `--model airbench` alone trains airbench94's way. */
  presets?: Partial<Record<ModelName, Value>>;
  /** The rule a value must meet, stated as the error message states it. */
  rule?: string;
  ok?: (value: number, config: Partial<TrainConfig>) => boolean;
  help: string;
}

const BIG = { resnet9: 1, airbench: 1, resnet18: 1 } as const;

/** The default batch sizes, at which each model's `lr` is stated. */
const DEFAULT_BATCH = { fallback: 32, presets: { resnet9: 512, airbench: 1024, resnet18: 512 } } as const;
const LR_REFERENCE_TEXT = `tiny-cnn ${DEFAULT_BATCH.fallback}, ${Object.entries(DEFAULT_BATCH.presets).map(([m, b]) => `${m} ${b}`).join(', ')}`;

/** The batch size at which a model's `lr` is stated: its default batch_size. */
export function lrReferenceBatch(model: ModelName): number {
  return model === 'tiny-cnn' ? DEFAULT_BATCH.fallback : DEFAULT_BATCH.presets[model];
}

/**
 * The peak learning rate a step actually uses: `lr` is stated at the model's default batch size
 * and scales linearly with batch_size (Goyal et al.'s rule; per mean-loss gradient, a batch twice
 * as large averages twice as many images and takes a step twice as long). The one place the engine
 * and the page's schedule chart read it from.
 */
export function effectiveLr(config: Pick<TrainConfig, 'lr' | 'batchSize' | 'model'>): number {
  return (config.lr * config.batchSize) / lrReferenceBatch(config.model);
}

/**
 * Every hyperparameter in the order they are read (a later rule may depend on an earlier value).
 * Presets: resnet9 follows Page's 24-epoch DAWNBench recipe, airbench follows airbench94,
 * resnet18 borrows resnet9's. Learning rates are per mean-loss gradient, weight decay is decoupled
 * (see docs/PERFORMANCE.md for the conversion from the sources' summed-loss conventions).
 */
export const HYPERPARAMETERS: readonly HyperparameterSpec[] = [
  { name: 'model', key: 'model', kind: 'choice', choices: MODEL_NAMES, fallback: 'tiny-cnn', help: 'network to train' },
  { name: 'data', key: 'data', kind: 'choice', choices: ['synthetic', 'cifar10'], fallback: 'synthetic', help: 'data set' },
  { name: 'train_size', key: 'trainSize', kind: 'integer', fallback: 512, rule: 'must be a whole number ≥ 1', ok: (v) => v >= 1, help: 'synthetic training images' },
  {
    name: 'val_size', key: 'valSize', kind: 'integer', fallback: 256, rule: 'must be a whole number ≥ 0 (≥ 1 for synthetic data)',
    ok: (v, c) => v >= (c.data === 'cifar10' ? 0 : 1), help: 'validation images held out (cifar10: 5000 of the 50000, scaled by --limit)',
  },
  { name: 'test_size', key: 'testSize', kind: 'integer', fallback: 0, rule: 'must be a whole number ≥ 0', ok: (v) => v >= 0, help: 'synthetic test images (0: as many as val_size)' },
  { name: 'limit', key: 'limit', kind: 'integer', fallback: 0, rule: 'must be a whole number ≥ 0', ok: (v) => v >= 0, help: 'use the first N training and at most N test images (0: all)' },
  { name: 'batch_size', key: 'batchSize', kind: 'integer', fallback: DEFAULT_BATCH.fallback, presets: DEFAULT_BATCH.presets, rule: 'must be a whole number ≥ 1', ok: (v) => v >= 1, help: 'images per step (lr scales with it)' },
  { name: 'epochs', key: 'epochs', kind: 'number', fallback: 1, presets: { resnet9: 24, airbench: 9.9, resnet18: 30 }, rule: 'must be above 0', ok: (v) => v > 0, help: 'passes over the training set (fractional allowed)' },
  {
    name: 'width', key: 'width', kind: 'number', fallback: 8, presets: BIG, rule: 'must be above 0 (a whole number for tiny-cnn) and at most 8',
    ok: (v, c) => v > 0 && v <= (c.model === 'tiny-cnn' ? 1024 : 8) && (c.model !== 'tiny-cnn' || Number.isInteger(v)), help: 'channel multiplier (tiny-cnn: channels of its first conv)',
  },
  { name: 'optimizer', key: 'optimizer', kind: 'choice', choices: ['sgd', 'nag'], fallback: 'nag', help: 'SGD with heavy-ball (sgd) or Nesterov (nag) momentum' },
  { name: 'lr', key: 'lr', kind: 'number', fallback: 0.05, presets: { resnet9: 0.4, airbench: 1.5, resnet18: 0.4 }, rule: 'must be above 0', ok: (v) => v > 0,
    help: `peak learning rate of the one-cycle schedule at the model's default batch_size (${LR_REFERENCE_TEXT}); it scales linearly: lr × batch_size / that batch`,
  },
  { name: 'momentum', key: 'momentum', kind: 'number', fallback: 0.9, presets: { airbench: 0.85 }, rule: 'must be in [0, 1)', ok: (v) => v >= 0 && v < 1, help: 'momentum (the maximum when momentum_cycle > 0)' },
  {
    name: 'momentum_cycle', key: 'momentumCycle', kind: 'number', fallback: 0, rule: 'must be in [0, momentum]', ok: (v, c) => v >= 0 && v <= (c.momentum ?? 0),
    help: 'momentum dips by this much at the peak lr (inverse cycling; 0 = off)',
  },
  { name: 'weight_decay', key: 'weightDecay', kind: 'number', fallback: 0, presets: { resnet9: 5e-3, airbench: 8.9e-3, resnet18: 5e-3 }, rule: 'must be ≥ 0', ok: (v) => v >= 0, help: 'decoupled weight decay (per step: w *= 1 - lr_t * weight_decay)' },
  { name: 'warmup', key: 'warmup', kind: 'number', fallback: 0.2, presets: { resnet9: 0.2083, airbench: 0.23, resnet18: 0.2083 }, rule: 'must be in [0, 1]', ok: (v) => v >= 0 && v <= 1, help: 'fraction of the steps that warm the lr up to its peak' },
  { name: 'lr_start_factor', key: 'lrStartFactor', kind: 'number', fallback: 0.1, presets: { resnet9: 0, airbench: 0.2, resnet18: 0 }, rule: 'must be in [0, 1]', ok: (v) => v >= 0 && v <= 1, help: 'lr at the start, as a fraction of the peak' },
  { name: 'lr_end_factor', key: 'lrEndFactor', kind: 'number', fallback: 0, presets: { airbench: 0.07 }, rule: 'must be in [0, 1]', ok: (v) => v >= 0 && v <= 1, help: 'lr at the end, as a fraction of the peak' },
  { name: 'label_smoothing', key: 'labelSmoothing', kind: 'number', fallback: 0, presets: { resnet9: 0.2, airbench: 0.2, resnet18: 0.2 }, rule: 'must be in [0, 1)', ok: (v) => v >= 0 && v < 1, help: 'label smoothing of the cross-entropy' },
  { name: 'bn_bias_lr', key: 'bnBiasLr', kind: 'number', fallback: 1, presets: { airbench: 64 }, rule: 'must be above 0', ok: (v) => v > 0, help: 'learning-rate multiplier for BatchNorm biases' },
  { name: 'ema', key: 'ema', kind: 'boolean', fallback: false, help: 'evaluate an exponential moving average of the weights' },
  { name: 'ema_decay', key: 'emaDecay', kind: 'number', fallback: 0.99, rule: 'must be in [0, 1)', ok: (v) => v >= 0 && v < 1, help: 'per-step decay of the weight average' },
  {
    name: 'lookahead', key: 'lookahead', kind: 'boolean', fallback: false, presets: { airbench: true },
    help: "airbench's lookahead: every 5 steps the weights are replaced by an EMA of themselves, decay 0.95^5·(step/steps)^3",
  },
  {
    name: 'whiten_bias_epochs', key: 'whitenBiasEpochs', kind: 'number', fallback: 3, rule: 'must be ≥ 0', ok: (v) => v >= 0,
    help: 'airbench only: epochs the whitening conv\'s bias learns before it is frozen',
  },
  { name: 'tta', key: 'tta', kind: 'choice', choices: ['none', 'flip', 'flip-translate'], fallback: 'none', presets: { resnet9: 'flip', airbench: 'flip-translate', resnet18: 'flip' }, help: 'test-time augmentation at evaluation' },
  { name: 'crop_pad', key: 'cropPad', kind: 'integer', fallback: 0, presets: { resnet9: 4, airbench: 2, resnet18: 4 }, rule: 'must be a whole number in [0, 16]', ok: (v) => v >= 0 && v <= 16, help: 'random translation by up to this many pixels, reflect-padded (4: random crop)' },
  { name: 'flip', key: 'flip', kind: 'choice', choices: ['none', 'random', 'alternating'], fallback: 'none', presets: { resnet9: 'random', airbench: 'alternating', resnet18: 'random' }, help: 'horizontal flips (alternating: each image flips every other epoch)' },
  { name: 'cutout', key: 'cutout', kind: 'integer', fallback: 0, presets: { resnet9: 8, resnet18: 8 }, rule: 'must be a whole number in [0, 32]', ok: (v) => v >= 0 && v <= 32, help: 'side of a random square zeroed in each image (0 = off)' },
  { name: 'kernels', key: 'kernels', kind: 'choice', choices: ['custom', 'stock'], fallback: 'custom', help: "custom (webgpu only): the engine's own kernels — convolution gradients, BatchNorm fused with its activation, the loss, the SGD update, and the training set kept on the GPU; stock: tfjs's kernels only. Both train the same numbers within float rounding" },
  {
    name: 'activation_storage', key: 'activationStorage', kind: 'choice', choices: ['f32', 'f16'], fallback: 'f32',
    help: 'kernels=custom on webgpu: what the fused BatchNorm saves for its backward pass, x in f32 or the normalized x in f16 (half the memory, one more dispatch, gradients within f16 rounding)',
  },
  {
    name: 'compute_precision', key: 'computePrecision', kind: 'choice', choices: ['f32', 'f16'], fallback: 'f32',
    help: "kernels=custom on webgpu: f16 runs the convolutions' arithmetic in halves (f16 operands and per-tile sums, accumulated in f32) with fp32 master weights and a dynamic loss scale; it needs the adapter feature shader-f16, and without it (or with kernels=stock, or off webgpu) the trial runs in f32 and its Kernels line says why",
  },
  { name: 'fault', key: 'fault', kind: 'choice', choices: ['none', 'crash', 'device-lost'], fallback: 'none', help: 'failure injection for the worker tests' },
];

/** The default a hyperparameter takes for a model. */
export function defaultFor(spec: HyperparameterSpec, model: ModelName): Value {
  return spec.presets?.[model] ?? spec.fallback;
}

/**
 * Every hyperparameter of a config by its snake_case name, in the order of HYPERPARAMETERS: what a
 * trial's Hyperparameters line states. Test-only knobs (`fault`) are left out: they test the workers
 * and are no part of what a trial means.
 */
export function resolvedHyperparameters(config: TrainConfig): Record<string, Value> {
  const values: Record<string, Value> = {};
  for (const spec of HYPERPARAMETERS) if (!TEST_ONLY.has(spec.name)) values[spec.name] = config[spec.key];
  return values;
}

/** The default as a trial resolves it, which for val_size also depends on the data set. */
export function recipeDefault(spec: HyperparameterSpec, model: ModelName, data: TrainConfig['data']): Value {
  if (spec.name === 'val_size' && data === 'cifar10') return CIFAR10_VAL_SIZE;
  return defaultFor(spec, model);
}

/** Hyperparameters of the failure tests: read from a job like any other, but never offered in a form. */
export const TEST_ONLY = new Set(['fault']);

/** CIFAR-10's held-out validation images by default: a tenth of the 50,000-image training pool. */
export const CIFAR10_VAL_SIZE = 5000;

export const HYPERPARAMETER_NAMES: readonly string[] = HYPERPARAMETERS.map((spec) => spec.name);

export function hyperparameterSpec(name: string): HyperparameterSpec | undefined {
  return HYPERPARAMETERS.find((spec) => spec.name === name);
}

/** A hyperparameter whose value breaks the engine's rule, and the message that says so. */
export interface HyperparameterError {
  name: string;
  message: string;
}

/** Reads hyperparameters by their snake_case names, applies defaults, and rejects bad values with a clear reason. */
export function readTrainConfig(raw: RawHyperparameters): TrainConfig {
  const { config, errors } = resolveTrainConfig(raw);
  if (errors.length > 0) throw new Error(errors[0].message);
  return config;
}

/**
 * Like readTrainConfig, but collects every broken rule instead of stopping at the first; a value
 * that breaks its rule takes its default, so the rules after it can still be checked. The page
 * checks a whole training panel with it.
 */
export function resolveTrainConfig(raw: RawHyperparameters): { config: TrainConfig; errors: HyperparameterError[] } {
  const config: Partial<TrainConfig> = {};
  const assign = config as Record<string, Value>;
  const errors: HyperparameterError[] = [];
  for (const spec of HYPERPARAMETERS) {
    const model = config.model ?? 'tiny-cnn';
    const fallback = defaultFor(spec, model);
    try {
      assign[spec.key] = readOne(spec, raw[spec.name], fallback, config);
    } catch (error) {
      errors.push({ name: spec.name, message: (error as Error).message });
      assign[spec.key] = fallback;
    }
  }
  const done = config as TrainConfig;
  if (done.data === 'synthetic' && done.batchSize > done.trainSize) {
    errors.push({ name: 'batch_size', message: `batch_size (${done.batchSize}) is larger than the training set (${done.trainSize} images).` });
  }
  if (done.data === 'synthetic' && done.testSize === 0) done.testSize = done.valSize;
  if (done.data === 'cifar10') {
    // The pool decides the training size; a synthetic-sized val_size default would be meaningless here.
    if (raw.val_size === undefined) done.valSize = CIFAR10_VAL_SIZE;
    done.trainSize = 0;
    done.testSize = 0;
  }
  return { config: done, errors };
}

function readOne(spec: HyperparameterSpec, given: RawValue, fallback: Value, config: Partial<TrainConfig>): Value {
  const value = given ?? fallback;
  if (spec.kind === 'choice') {
    if (typeof value !== 'string' || !spec.choices!.includes(value)) {
      throw new Error(`${spec.name} must be one of ${spec.choices!.join(', ')}; got ${String(value)}.`);
    }
    return value;
  }
  if (spec.kind === 'boolean') {
    const text = String(value).toLowerCase();
    if (['true', 'on', 'yes', '1'].includes(text)) return true;
    if (['false', 'off', 'no', '0'].includes(text)) return false;
    throw new Error(`${spec.name} must be true or false; got ${String(value)}.`);
  }
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  const whole = spec.kind === 'integer' ? Number.isInteger(n) : true;
  if (typeof n !== 'number' || !Number.isFinite(n) || !whole || (spec.ok && !spec.ok(n, config))) {
    throw new Error(`${spec.name} ${spec.rule ?? 'is out of range'}; got ${String(value)}.`);
  }
  return n;
}
