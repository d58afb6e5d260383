/**
 * The training engine's own log lines: the loop writes them with the format functions below and
 * the runner reads them back with `parseEngineLine`, so the convention lives in this one file.
 * Users' metric definitions read the same lines by regex; these lines are an interface (see
 * docs/ARCHITECTURE.md, "Interfaces others depend on"), so change them only with the docs.
 */

/** One `Epoch N, ...` line: the values as printed (rounded), not as computed. */
export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  valAccuracy: number;
  imagesPerSecond: number;
}

/** The `Final, ...` line. */
export interface FinalRecord {
  testAccuracy: number;
  /** Wall-clock seconds of the whole trial, evaluations included. */
  seconds: number;
}

/** Every engine hyperparameter of a trial after defaults, by its snake_case name. */
export type ResolvedHyperparameters = Record<string, string | number | boolean>;

/** Where a trial is, reported at the loop's sync points and at each epoch end. */
export interface TrainProgress {
  /** 1-based epoch the last step belongs to. */
  epoch: number;
  /** Steps finished so far, over the whole trial. */
  step: number;
  totalSteps: number;
  stepsPerEpoch: number;
}

export type EngineLine =
  | ({ kind: 'epoch' } & EpochRecord)
  | ({ kind: 'final' } & FinalRecord)
  | { kind: 'config'; recipeVersion: number; hyperparameters: ResolvedHyperparameters };

/** The fixed start of a trial's first line; JSON follows it. */
export const HYPERPARAMETERS_PREFIX = 'Hyperparameters ';
/** The JSON key of the recipe version, listed first; no hyperparameter has this name. */
const RECIPE_KEY = 'recipe';

/** A number as `toFixed` prints a finite, non-negative one. */
const NUMBER = String.raw`(\d+(?:\.\d+)?)`;
const EPOCH_LINE = new RegExp(String.raw`^Epoch (\d+), Train loss=${NUMBER}, Validation accuracy=${NUMBER}, Images/s=${NUMBER}$`);
const FINAL_LINE = new RegExp(String.raw`^Final, Test accuracy=${NUMBER}, Seconds=${NUMBER}$`);

export function formatEpochLine({ epoch, trainLoss, valAccuracy, imagesPerSecond }: EpochRecord): string {
  return `Epoch ${epoch}, Train loss=${trainLoss.toFixed(4)}, Validation accuracy=${valAccuracy.toFixed(4)}, Images/s=${imagesPerSecond.toFixed(1)}`;
}

export function formatFinalLine({ testAccuracy, seconds }: FinalRecord): string {
  return `Final, Test accuracy=${testAccuracy.toFixed(4)}, Seconds=${seconds.toFixed(1)}`;
}

/**
 * `Hyperparameters {"recipe":1,"model":"tiny-cnn",...}`: compact JSON, the recipe version first,
 * then the values in the order given. JSON writes `"name":value`, never `name=value`, so regexes
 * written for the `=` lines (such as `Validation accuracy=([0-9\.]+)`) do not match it.
 */
export function formatHyperparametersLine(recipeVersion: number, hyperparameters: ResolvedHyperparameters): string {
  if (RECIPE_KEY in hyperparameters) throw new Error(`"${RECIPE_KEY}" is the recipe version's key, not a hyperparameter.`);
  return `${HYPERPARAMETERS_PREFIX}${JSON.stringify({ [RECIPE_KEY]: recipeVersion, ...hyperparameters })}`;
}

/** Reads one of the engine's lines; any other line (a user's own output, a malformed one) gives undefined. */
export function parseEngineLine(line: string): EngineLine | undefined {
  const epoch = EPOCH_LINE.exec(line);
  if (epoch) {
    const [, n, trainLoss, valAccuracy, imagesPerSecond] = epoch;
    return { kind: 'epoch', epoch: Number(n), trainLoss: Number(trainLoss), valAccuracy: Number(valAccuracy), imagesPerSecond: Number(imagesPerSecond) };
  }
  const final = FINAL_LINE.exec(line);
  if (final) return { kind: 'final', testAccuracy: Number(final[1]), seconds: Number(final[2]) };
  if (line.startsWith(HYPERPARAMETERS_PREFIX)) return parseHyperparameters(line.slice(HYPERPARAMETERS_PREFIX.length));
  return undefined;
}

function parseHyperparameters(json: string): EngineLine | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { [RECIPE_KEY]: recipeVersion, ...rest } = value as Record<string, unknown>;
  if (typeof recipeVersion !== 'number' || !Number.isInteger(recipeVersion) || recipeVersion < 1) return undefined;
  const hyperparameters: ResolvedHyperparameters = {};
  for (const [name, v] of Object.entries(rest)) {
    if (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) hyperparameters[name] = v;
    else return undefined;
  }
  return { kind: 'config', recipeVersion, hyperparameters };
}
