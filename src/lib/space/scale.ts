import type { ContinuousParameter, IntegerParameter, Scale } from './types';

export type ResolvedScale = Exclude<Scale, 'auto'>;

/**
 * `auto` means log when the range is positive and spans at least two decades (max/min >= 100),
 * linear otherwise: a learning rate in [1e-4, 1e-1] is then searched per decade, while
 * a momentum in [0.8, 0.95] is searched evenly.
 */
export function resolveScale(param: ContinuousParameter | IntegerParameter): ResolvedScale {
  const scale = param.scale ?? 'auto';
  if (scale !== 'auto') return scale;
  return param.min > 0 && param.max / param.min >= 100 ? 'log' : 'linear';
}

/** Maps a value in [min, max] to [0, 1] under the scale. */
export function toUnit(value: number, min: number, max: number, scale: ResolvedScale): number {
  if (max === min) return 0;
  switch (scale) {
    case 'linear':
      return (value - min) / (max - min);
    case 'log':
      return (Math.log(value) - Math.log(min)) / (Math.log(max) - Math.log(min));
    case 'reverse-log': {
      // Evenly spaced in log(1 - x): resolves 0.9, 0.99, 0.999 as equally far apart.
      const lo = Math.log(1 - max);
      const hi = Math.log(1 - min);
      return (hi - Math.log(1 - value)) / (hi - lo);
    }
  }
}

/** Inverse of toUnit, clamped to [min, max] so rounding never leaves the range. */
export function fromUnit(u: number, min: number, max: number, scale: ResolvedScale): number {
  const t = Math.min(1, Math.max(0, u));
  let value: number;
  switch (scale) {
    case 'linear':
      value = min + t * (max - min);
      break;
    case 'log':
      value = Math.exp(Math.log(min) + t * (Math.log(max) - Math.log(min)));
      break;
    case 'reverse-log': {
      const lo = Math.log(1 - max);
      const hi = Math.log(1 - min);
      value = 1 - Math.exp(hi - t * (hi - lo));
      break;
    }
  }
  return Math.min(max, Math.max(min, value));
}
