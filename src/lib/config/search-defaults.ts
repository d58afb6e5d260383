import { hyperparameterSpec } from '../recipe/hyperparameters';
import type { Parameter } from '../space';

/** Ranges that practice suggests, where "around the current value" would not do. */
const KNOWN_RANGES: Record<string, Parameter> = {
  momentum: { type: 'continuous', min: 0.8, max: 0.95, scale: 'linear' },
  momentum_cycle: { type: 'continuous', min: 0, max: 0.1, scale: 'linear' },
  weight_decay: { type: 'continuous', min: 0.0005, max: 0.02, scale: 'log' },
  warmup: { type: 'continuous', min: 0.1, max: 0.4, scale: 'linear' },
  lr_start_factor: { type: 'continuous', min: 0, max: 0.3, scale: 'linear' },
  lr_end_factor: { type: 'continuous', min: 0, max: 0.2, scale: 'linear' },
  label_smoothing: { type: 'continuous', min: 0, max: 0.3, scale: 'linear' },
  ema_decay: { type: 'continuous', min: 0.9, max: 0.999, scale: 'reverse-log' },
  crop_pad: { type: 'integer', min: 0, max: 4 },
  cutout: { type: 'integer', min: 0, max: 16 },
};

/**
 * The search range a training hyperparameter starts with when the user switches it from fixed to
 * searched: every choice of a choice, both booleans, a known range, or a factor of four around
 * the current value (two for whole numbers), on a log scale for positive values.
 */
export function defaultSearchParameter(name: string, current: string): Parameter {
  const spec = hyperparameterSpec(name);
  if (!spec) return { type: 'continuous', min: 0, max: 1, scale: 'linear' };
  if (spec.kind === 'choice') return { type: 'categorical', values: [...spec.choices!] };
  if (spec.kind === 'boolean') return { type: 'categorical', values: ['true', 'false'] };
  const known = KNOWN_RANGES[name];
  if (known) return structuredClone(known);
  const value = Number(current);
  const centre = Number.isFinite(value) && value > 0 ? value : 1;
  if (spec.kind === 'integer') return { type: 'integer', min: Math.max(1, Math.round(centre / 2)), max: Math.max(2, Math.round(centre * 2)) };
  return { type: 'continuous', min: round(centre / 4), max: round(centre * 4), scale: 'log' };
}

/** Three significant digits: a range a person would type. */
function round(value: number): number {
  return Number(value.toPrecision(3));
}
