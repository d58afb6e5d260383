import type { Rng } from '../rng';
import type { Params, SearchSpace } from './types';
import { fromUnitPoint } from './unit';

/** Independent uniform draw in each parameter's own scale. */
export function sampleParams(space: SearchSpace, rng: Rng): Params {
  const u = Object.keys(space).map(() => rng.next());
  return fromUnitPoint(space, u);
}

/** A stable identity for a point: equal params give equal keys regardless of property order. */
export function paramsKey(space: SearchSpace, params: Params): string {
  return JSON.stringify(Object.keys(space).map((name) => params[name]));
}
