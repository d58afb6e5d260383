import { fromUnit, resolveScale, toUnit, type ResolvedScale } from './scale';
import type { CategoricalParameter, CategoryValue, Params, SearchSpace } from './types';

/**
 * The feature encoding a surrogate model sees. Numeric parameters take one feature in [0, 1]
 * under their scale (so a log-scaled learning rate is modelled per decade); a categorical takes
 * one 0/1 feature per value (one-hot), so no false order is imposed on its values.
 */
export type EncodedBlock =
  | {
      name: string;
      kind: 'continuous' | 'integer';
      /** Index of the block's single feature. */
      offset: number;
      width: 1;
      min: number;
      max: number;
      scale: ResolvedScale;
    }
  | {
      name: string;
      kind: 'categorical';
      offset: number;
      width: number;
      values: CategoryValue[];
    };

export interface EncodingLayout {
  blocks: EncodedBlock[];
  /** Total number of features. */
  width: number;
  /** For each feature, the index of the block (parameter) it belongs to. */
  blockOf: Int32Array;
}

export function encodingLayout(space: SearchSpace): EncodingLayout {
  const blocks: EncodedBlock[] = [];
  let offset = 0;
  for (const [name, param] of Object.entries(space)) {
    if (param.type === 'categorical') {
      blocks.push({ name, kind: 'categorical', offset, width: param.values.length, values: param.values });
      offset += param.values.length;
    } else {
      // Integer ranges never use reverse-log in practice (it needs max < 1); treat it as linear.
      const resolved = resolveScale(param);
      const scale = param.type === 'integer' && resolved === 'reverse-log' ? 'linear' : resolved;
      blocks.push({ name, kind: param.type, offset, width: 1, min: param.min, max: param.max, scale });
      offset += 1;
    }
  }
  const blockOf = new Int32Array(offset);
  blocks.forEach((block, b) => blockOf.fill(b, block.offset, block.offset + block.width));
  return { blocks, width: offset, blockOf };
}

/** Params to features; the params must be valid for the space (see the tuner's param checks). */
export function encodeParams(layout: EncodingLayout, params: Params, out = new Float64Array(layout.width)): Float64Array {
  for (const block of layout.blocks) {
    const value = params[block.name];
    if (block.kind === 'categorical') {
      out.fill(0, block.offset, block.offset + block.width);
      const index = categoryIndex(block.values, value);
      if (index < 0) throw new Error(`"${String(value)}" is not a value of ${block.name}.`);
      out[block.offset + index] = 1;
    } else {
      out[block.offset] = toUnit(value as number, block.min, block.max, block.scale);
    }
  }
  return out;
}

/**
 * Features to params. Any point of the feature box decodes to a valid point: numbers are
 * clamped to their range, integers rounded, and a categorical takes its largest feature
 * (first on ties). Decoding an encoding returns the same integers and categories exactly, and
 * the same continuous values up to floating-point rounding of the scale (exactly at the bounds).
 */
export function decodeFeatures(layout: EncodingLayout, features: ArrayLike<number>): Params {
  const params: Params = {};
  for (const block of layout.blocks) {
    if (block.kind === 'categorical') {
      params[block.name] = block.values[argmax(features, block.offset, block.width)];
    } else {
      // The ends decode to the bounds exactly, not to exp(log(min)) one rounding away.
      const u = features[block.offset];
      const value = u <= 0 ? block.min : u >= 1 ? block.max : fromUnit(u, block.min, block.max, block.scale);
      params[block.name] = block.kind === 'integer' ? roundInto(value, block.min, block.max) : value;
    }
  }
  return params;
}

/** Moves a feature vector onto the nearest encodable point, in place (integers and one-hots snap). */
export function snapFeatures(layout: EncodingLayout, features: Float64Array): Float64Array {
  for (const block of layout.blocks) {
    if (block.kind === 'categorical') {
      const index = argmax(features, block.offset, block.width);
      features.fill(0, block.offset, block.offset + block.width);
      features[block.offset + index] = 1;
    } else {
      const u = Math.min(1, Math.max(0, features[block.offset]));
      if (block.kind === 'integer') {
        const value = roundInto(fromUnit(u, block.min, block.max, block.scale), block.min, block.max);
        features[block.offset] = toUnit(value, block.min, block.max, block.scale);
      } else {
        features[block.offset] = u;
      }
    }
  }
  return features;
}

/** Index of a category; numbers and strings are distinct values, as in the space file. */
export function categoryIndex(values: CategoricalParameter['values'], value: CategoryValue | undefined): number {
  return values.findIndex((v) => v === value);
}

function argmax(features: ArrayLike<number>, offset: number, width: number): number {
  let best = 0;
  for (let i = 1; i < width; i++) if (features[offset + i] > features[offset + best]) best = i;
  return best;
}

function roundInto(value: number, min: number, max: number): number {
  // `+ 0` turns a -0 from rounding (-0.3 → -0) into 0, so equal integers compare equal everywhere.
  return Math.min(max, Math.max(min, Math.round(value))) + 0;
}
