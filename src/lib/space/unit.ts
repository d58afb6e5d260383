import { fromUnit, resolveScale, toUnit, type ResolvedScale } from './scale';
import type { CategoryValue, IntegerParameter, Parameter, Params, SearchSpace } from './types';

/**
 * One coordinate per parameter in [0, 1]: the space a sampler or a space-filling design draws in.
 * A categorical with n values splits [0, 1) into n equal cells; an integer owns the cell
 * [k - 0.5, k + 0.5] so that the end values are as likely as the rest.
 */
export function fromUnitPoint(space: SearchSpace, u: ArrayLike<number>): Params {
  const params: Params = {};
  Object.entries(space).forEach(([name, param], i) => {
    params[name] = parameterFromUnit(param, u[i]);
  });
  return params;
}

export function toUnitPoint(space: SearchSpace, params: Params): number[] {
  return Object.entries(space).map(([name, param]) => parameterToUnit(param, params[name]));
}

export function parameterFromUnit(param: Parameter, u: number): CategoryValue {
  switch (param.type) {
    case 'categorical':
      return param.values[Math.min(param.values.length - 1, Math.floor(clamp01(u) * param.values.length))];
    case 'continuous':
      return fromUnit(u, param.min, param.max, resolveScale(param));
    case 'integer': {
      const { lo, hi, scale } = integerCell(param);
      // `+ 0`: rounding -0.3 gives -0, which would print and compare as a different point.
      return Math.min(param.max, Math.max(param.min, Math.round(fromUnit(u, lo, hi, scale)))) + 0;
    }
  }
}

export function parameterToUnit(param: Parameter, value: CategoryValue): number {
  switch (param.type) {
    case 'categorical': {
      const index = param.values.indexOf(value);
      return (index + 0.5) / param.values.length;
    }
    case 'continuous':
      return toUnit(value as number, param.min, param.max, resolveScale(param));
    case 'integer': {
      const { lo, hi, scale } = integerCell(param);
      return toUnit(value as number, lo, hi, scale);
    }
  }
}

/** The continuous range whose rounding covers every integer in [min, max] with equal width. */
function integerCell(param: IntegerParameter): { lo: number; hi: number; scale: ResolvedScale } {
  const scale = resolveScale(param);
  if (scale === 'log') {
    // Half a step below min would reach 0 for min = 1 under log; keep the lower cell inside (0, min].
    const lo = param.min > 0.5 ? param.min - 0.5 : param.min;
    return { lo, hi: param.max + 0.4999, scale };
  }
  if (scale === 'reverse-log') return { lo: param.min, hi: param.max, scale: 'linear' };
  return { lo: param.min - 0.4999, hi: param.max + 0.4999, scale };
}

function clamp01(u: number): number {
  return Math.min(1, Math.max(0, u));
}
