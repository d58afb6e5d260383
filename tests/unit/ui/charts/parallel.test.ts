import { describe, expect, it } from 'vitest';
import { brushFilter, brushSpan, parallelAxes, polyline } from '../../../../src/ui/charts/parallel';
import { parameterAxis } from '../../../../src/ui/charts/scales';
import { trial } from '../trials';

// Vertical axes: the bottom (min) at 100 px, the top (max) at 0.
const RANGE: [number, number] = [100, 0];

describe('brushFilter', () => {
  it('turns a brushed span of a log axis into the value range it covers', () => {
    const axis = parameterAxis({ type: 'continuous', min: 0.001, max: 0.1, scale: 'log' }, RANGE);
    const filter = brushFilter(axis, [0, 50]);
    expect('min' in filter && [filter.min, filter.max]).toEqual([expect.closeTo(0.01, 9), expect.closeTo(0.1, 9)]);
  });

  it('turns a brushed span of a categorical axis into the categories inside it', () => {
    const axis = parameterAxis({ type: 'categorical', values: ['sgd', 'nag', 'adam'] }, RANGE);
    expect(brushFilter(axis, [60, 10])).toEqual({ values: ['nag', 'adam'] });
    expect(brushFilter(axis, [95, 90])).toEqual({ values: [] });
  });

  it('draws a filter back where its values are, after the axis changed', () => {
    const axis = parameterAxis({ type: 'continuous', min: 0, max: 1, scale: 'linear' }, RANGE);
    expect(brushSpan(axis, { min: 0.25, max: 0.5 })).toEqual([50, 75]);
    const categories = parameterAxis({ type: 'categorical', values: ['sgd', 'nag'] }, RANGE);
    const span = brushSpan(categories, { values: ['nag'] })!;
    expect(brushFilter(categories, span)).toEqual({ values: ['nag'] });
  });
});

describe('parallelAxes and polyline', () => {
  const space = { lr: { type: 'continuous' as const, min: 0.001, max: 0.1, scale: 'log' as const }, optimizer: { type: 'categorical' as const, values: ['sgd', 'nag'] } };

  it('has one axis per hyperparameter, then the objective', () => {
    const axes = parallelAxes(space, 'Validation-accuracy', [trial(1, { objective: 0.5 })], RANGE);
    expect(axes.map((a) => [a.name, a.objective])).toEqual([
      ['lr', false],
      ['optimizer', false],
      ['Validation-accuracy', true],
    ]);
  });

  it('breaks a running trial’s line at the objective it does not have yet', () => {
    const axes = parallelAxes(space, 'm', [], RANGE);
    const ys = polyline(trial(1, { params: { lr: 0.01, optimizer: 'nag' }, status: 'running' }), axes);
    expect(ys[0]).toBeCloseTo(50);
    expect(ys[1]).toBe(25);
    expect(ys[2]).toBeNull();
  });
});
