import { categoryIndex } from './encode';
import type { Params, SearchSpace } from './types';

/**
 * Why a point is not in the space, or null when it is. Used on points that come from outside
 * (warm starts, the CLI) before they reach a model, which assumes valid input.
 */
export function paramsError(space: SearchSpace, params: unknown): string | null {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return 'params must be an object of parameter values.';
  const record = params as Record<string, unknown>;
  const unknown = Object.keys(record).filter((name) => !(name in space));
  if (unknown.length > 0) return `Unknown parameter${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}.`;
  for (const [name, param] of Object.entries(space)) {
    const value = record[name];
    if (value === undefined) return `Missing parameter "${name}".`;
    if (param.type === 'categorical') {
      if ((typeof value !== 'string' && typeof value !== 'number') || categoryIndex(param.values, value) < 0) {
        return `"${name}" must be one of ${JSON.stringify(param.values)}; got ${JSON.stringify(value)}.`;
      }
      continue;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) return `"${name}" must be a number; got ${JSON.stringify(value)}.`;
    if (param.type === 'integer' && !Number.isInteger(value)) return `"${name}" must be an integer; got ${value}.`;
    if (value < param.min || value > param.max) return `"${name}" = ${value} is out of range [${param.min}, ${param.max}].`;
  }
  return null;
}

/** Throws the error of `paramsError`, for strategy methods that take outside points. */
export function assertParams(space: SearchSpace, params: Params): void {
  const error = paramsError(space, params);
  if (error) throw new Error(error);
}

/**
 * Hyperparameters as a person types them, one text per searched name: numbers for numeric
 * parameters, and for a categorical the value whose text matches (so "0.1" picks 0.1). Returns the
 * point, or the first error as `paramsError` words it.
 */
export function readTypedParams(space: SearchSpace, texts: Record<string, string>): { params: Params; error: string | null } {
  const params: Params = {};
  for (const [name, param] of Object.entries(space)) {
    const text = (texts[name] ?? '').trim();
    if (text === '') return { params, error: `Give a value for "${name}".` };
    if (param.type === 'categorical') {
      const match = param.values.find((value) => String(value) === text);
      params[name] = match ?? text;
    } else params[name] = Number(text);
  }
  return { params, error: paramsError(space, params) };
}
