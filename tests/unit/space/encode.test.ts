import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFeatures, encodeParams, encodingLayout, fromUnitPoint, snapFeatures, toUnitPoint, type SearchSpace } from '../../../src/lib/space';

const space: SearchSpace = {
  lr: { type: 'continuous', min: 1e-5, max: 1, scale: 'log' },
  momentum: { type: 'continuous', min: 0.5, max: 0.999, scale: 'reverse-log' },
  dropout: { type: 'continuous', min: -1, max: 2.5, scale: 'linear' },
  auto: { type: 'continuous', min: 0.01, max: 10, scale: 'auto' },
  batch: { type: 'integer', min: 16, max: 512, scale: 'log' },
  depth: { type: 'integer', min: -3, max: 8 },
  optimizer: { type: 'categorical', values: ['sgd', 'adam', 3, 0.5] },
  single: { type: 'categorical', values: ['only'] },
};
const unitPoint = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 8, maxLength: 8 });

function expectSameParams(a: Record<string, string | number>, b: Record<string, string | number>): void {
  for (const [name, param] of Object.entries(space)) {
    if (param.type === 'continuous') {
      const tolerance = 1e-12 * Math.max(1, Math.abs(param.max), Math.abs(param.min));
      expect(Math.abs((a[name] as number) - (b[name] as number))).toBeLessThanOrEqual(tolerance);
    } else {
      expect(a[name]).toBe(b[name]);
    }
  }
}

describe('feature encoding', () => {
  const layout = encodingLayout(space);

  it('lays numeric parameters on one feature and categoricals on one-hot blocks', () => {
    expect(layout.width).toBe(6 + 4 + 1);
    const optimizer = layout.blocks.find((b) => b.name === 'optimizer');
    expect(optimizer).toMatchObject({ kind: 'categorical', offset: 6, width: 4 });
    expect(Array.from(layout.blockOf)).toEqual([0, 1, 2, 3, 4, 5, 6, 6, 6, 6, 7]);
    expect(layout.blocks.find((b) => b.name === 'auto')).toMatchObject({ scale: 'log' });
  });

  it('round-trips params → features → params (integers and categories exactly)', () => {
    fc.assert(
      fc.property(unitPoint, (u) => {
        const params = fromUnitPoint(space, u);
        const features = encodeParams(layout, params);
        for (const f of features) expect(f >= 0 && f <= 1).toBe(true);
        const back = decodeFeatures(layout, features);
        expectSameParams(back, params);
        // Integer and categorical features come back bit for bit.
        const again = encodeParams(layout, back);
        for (const block of layout.blocks) {
          if (block.kind === 'continuous') continue;
          for (let i = block.offset; i < block.offset + block.width; i++) expect(again[i]).toBe(features[i]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('decodes any point of the feature box to a valid point, and snapping is idempotent', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -0.5, max: 1.5, noNaN: true }), { minLength: 11, maxLength: 11 }), (raw) => {
        const params = decodeFeatures(layout, raw);
        for (const [name, param] of Object.entries(space)) {
          const value = params[name];
          if (param.type === 'categorical') expect(param.values).toContain(value);
          else {
            expect(typeof value).toBe('number');
            expect(value as number).toBeGreaterThanOrEqual(param.min);
            expect(value as number).toBeLessThanOrEqual(param.max);
            if (param.type === 'integer') expect(Number.isInteger(value)).toBe(true);
          }
        }
        const snapped = snapFeatures(layout, Float64Array.from(raw));
        expect(decodeFeatures(layout, snapped)).toEqual(params);
        expect(snapFeatures(layout, Float64Array.from(snapped))).toEqual(snapped);
      }),
      { numRuns: 300 },
    );
  });

  it('decodes the ends of each range to the exact bounds', () => {
    const zeros = decodeFeatures(layout, new Float64Array(layout.width));
    expect(zeros).toMatchObject({ lr: 1e-5, momentum: 0.5, dropout: -1, batch: 16, depth: -3, optimizer: 'sgd' });
    const ones = decodeFeatures(layout, new Float64Array(layout.width).fill(1));
    expect(ones).toMatchObject({ lr: 1, momentum: 0.999, dropout: 2.5, batch: 512, depth: 8 });
  });

  it('keeps the unit-point mapping consistent with the encoding for integers and categories', () => {
    fc.assert(
      fc.property(unitPoint, (u) => {
        const params = fromUnitPoint(space, u);
        expect(fromUnitPoint(space, toUnitPoint(space, params))).toMatchObject({ batch: params.batch, depth: params.depth, optimizer: params.optimizer });
      }),
    );
  });

  it('rejects a category that is not listed (numbers and strings differ)', () => {
    const params = fromUnitPoint(space, new Array(8).fill(0.1));
    expect(() => encodeParams(layout, { ...params, optimizer: '3' })).toThrow(/not a value/);
  });
});
