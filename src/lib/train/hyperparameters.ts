import type { CategoryValue } from '../space';

/** The training recipe of one trial, after defaults and checks. */
export interface TrainConfig {
  model: 'tiny-cnn';
  data: 'synthetic';
  trainSize: number;
  valSize: number;
  testSize: number;
  batchSize: number;
  epochs: number;
  width: number;
  lr: number;
  momentum: number;
  optimizer: 'sgd' | 'nag';
  weightDecay: number;
  labelSmoothing: number;
  /** For tests of the failure paths: make the worker crash or lose its GPU device mid-trial. */
  fault: 'none' | 'crash' | 'device-lost';
}

type Raw = Record<string, CategoryValue | boolean | undefined>;

/** Reads hyperparameters by their snake_case names, applies defaults, and rejects bad values with a clear reason. */
export function readTrainConfig(raw: Raw): TrainConfig {
  const config: TrainConfig = {
    model: oneOf(raw, 'model', ['tiny-cnn'], 'tiny-cnn'),
    data: oneOf(raw, 'data', ['synthetic'], 'synthetic'),
    trainSize: integer(raw, 'train_size', 512, 1),
    valSize: integer(raw, 'val_size', 256, 1),
    testSize: integer(raw, 'test_size', 0, 0),
    batchSize: integer(raw, 'batch_size', 32, 1),
    epochs: number(raw, 'epochs', 1, (v) => v > 0, 'must be above 0'),
    width: integer(raw, 'width', 8, 1),
    lr: number(raw, 'lr', 0.05, (v) => v > 0, 'must be above 0'),
    momentum: number(raw, 'momentum', 0.9, (v) => v >= 0 && v < 1, 'must be in [0, 1)'),
    optimizer: oneOf(raw, 'optimizer', ['sgd', 'nag'], 'nag'),
    weightDecay: number(raw, 'weight_decay', 0, (v) => v >= 0, 'must be ≥ 0'),
    labelSmoothing: number(raw, 'label_smoothing', 0, (v) => v >= 0 && v < 1, 'must be in [0, 1)'),
    fault: oneOf(raw, 'fault', ['none', 'crash', 'device-lost'], 'none'),
  };
  if (config.batchSize > config.trainSize) {
    throw new Error(`batch_size (${config.batchSize}) is larger than the training set (${config.trainSize} images).`);
  }
  if (config.testSize === 0) config.testSize = config.valSize;
  return config;
}

function number(raw: Raw, name: string, fallback: number, ok: (v: number) => boolean, rule: string): number {
  const value = raw[name] ?? fallback;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || !ok(n)) throw new Error(`${name} ${rule}; got ${String(value)}.`);
  return n;
}

function integer(raw: Raw, name: string, fallback: number, min: number): number {
  return number(raw, name, fallback, (v) => Number.isInteger(v) && v >= min, `must be a whole number ≥ ${min}`);
}

function oneOf<T extends string>(raw: Raw, name: string, allowed: T[], fallback: T): T {
  const value = raw[name] ?? fallback;
  if (!allowed.includes(value as T)) throw new Error(`${name} must be one of ${allowed.join(', ')}; got ${String(value)}.`);
  return value as T;
}
