import { describe, expect, it } from 'vitest';
import { axisTitle, formatNumber, formatValue, logTicks, numericAxis, objectiveDomain, parameterAxis } from '../../../../src/ui/charts/scales';

const RANGE: [number, number] = [0, 100];

describe('parameterAxis', () => {
  it('maps a log parameter per decade', () => {
    const axis = parameterAxis({ type: 'continuous', min: 0.001, max: 0.1, scale: 'log' }, RANGE);
    expect(axis.kind === 'numeric' && axis.scale).toBe('log');
    if (axis.kind !== 'numeric') throw new Error();
    expect(axis.position(0.001)).toBeCloseTo(0);
    expect(axis.position(0.01)).toBeCloseTo(50);
    expect(axis.position(0.1)).toBeCloseTo(100);
    expect(axis.invert(50)).toBeCloseTo(0.01);
    expect(axis.ticks(5)).toEqual([0.001, 0.01, 0.1]);
  });

  it('maps a reverse-log parameter evenly in log(1 − x): 0.9, 0.99, 0.999 equally far apart', () => {
    const axis = parameterAxis({ type: 'continuous', min: 0.9, max: 0.999, scale: 'reverse-log' }, RANGE);
    if (axis.kind !== 'numeric') throw new Error();
    expect(axis.scale).toBe('reverse-log');
    expect(axis.position(0.9)).toBeCloseTo(0);
    expect(axis.position(0.99)).toBeCloseTo(50);
    expect(axis.position(0.999)).toBeCloseTo(100);
    expect(axis.invert(50)).toBeCloseTo(0.99);
    expect(axis.ticks(5)).toEqual([0.9, 0.99, 0.999]);
    expect(axisTitle('momentum', axis)).toBe('momentum (reverse-log scale)');
  });

  it('maps a linear parameter linearly', () => {
    const axis = parameterAxis({ type: 'continuous', min: 0.8, max: 0.95, scale: 'linear' }, [200, 0]);
    if (axis.kind !== 'numeric') throw new Error();
    expect(axis.position(0.875)).toBeCloseTo(100);
    expect(axis.invert(0)).toBeCloseTo(0.95);
    expect(axisTitle('momentum', axis)).toBe('momentum');
  });

  it('resolves auto as the space does: log over two decades or more of a positive range, else linear', () => {
    const wide = parameterAxis({ type: 'continuous', min: 1e-4, max: 1e-1, scale: 'auto' }, RANGE);
    const narrow = parameterAxis({ type: 'continuous', min: 0.8, max: 0.95 }, RANGE);
    const signed = parameterAxis({ type: 'continuous', min: -1, max: 1000 }, RANGE);
    expect(wide.kind === 'numeric' && wide.scale).toBe('log');
    expect(narrow.kind === 'numeric' && narrow.scale).toBe('linear');
    expect(signed.kind === 'numeric' && signed.scale).toBe('linear');
  });

  it('puts an integer parameter’s ticks on whole numbers only', () => {
    const axis = parameterAxis({ type: 'integer', min: 1, max: 4 }, RANGE);
    if (axis.kind !== 'numeric') throw new Error();
    expect(axis.integer).toBe(true);
    expect(axis.ticks(10)).toEqual([1, 2, 3, 4]);
    const wide = parameterAxis({ type: 'integer', min: 16, max: 1024, scale: 'log' }, RANGE);
    if (wide.kind !== 'numeric') throw new Error();
    expect(wide.ticks(6).every(Number.isInteger)).toBe(true);
  });

  it('spaces categories evenly in the space’s order, half a step in from the ends', () => {
    const axis = parameterAxis({ type: 'categorical', values: ['sgd', 'nag'] }, RANGE);
    if (axis.kind !== 'categorical') throw new Error();
    expect([axis.position('sgd'), axis.position('nag')]).toEqual([25, 75]);
    expect(axis.step).toBe(50);
  });
});

describe('logTicks', () => {
  it('thins 1–9 multiples to 1-2-5, then to decades', () => {
    expect(logTicks(1, 100, 10)).toEqual([1, 2, 5, 10, 20, 50, 100]);
    expect(logTicks(1e-6, 1, 4)).toEqual([1e-6, 1e-4, 1e-2, 1]);
  });
});

describe('objectiveDomain', () => {
  it('pads the extent, and gives a single value some room', () => {
    expect(objectiveDomain([0, 1])).toEqual([-0.08, 1.08]);
    const [lo, hi] = objectiveDomain([0.5]);
    expect(lo).toBeLessThan(0.5);
    expect(hi).toBeGreaterThan(0.5);
    expect(objectiveDomain([])).toEqual([0, 1]);
  });
  it('ignores non-finite values', () => {
    expect(numericAxis(objectiveDomain([1, Infinity, 3]), RANGE, 'linear').domain).toEqual([1 - 0.16, 3 + 0.16]);
  });
});

describe('number labels', () => {
  it('write ticks plainly in the usual range and with an exponent beyond it, so a label stays short', () => {
    expect(formatNumber(0.05)).toBe('0.05');
    expect(formatNumber(512)).toBe('512');
    expect(formatNumber(1e20)).toBe('1e+20');
    expect(formatNumber(2.5e-7)).toBe('2.5e-7');
    expect(formatNumber(0)).toBe('0');
  });

  it('write values with at most 4 significant digits; whole numbers as they are unless huge', () => {
    expect(formatValue(0.0033123)).toBe('0.003312');
    expect(formatValue(50000)).toBe('50000');
    expect(formatValue(5.098804863576929e27)).toBe('5.099e+27');
    expect(formatValue('nag')).toBe('nag');
    expect(formatValue(undefined)).toBe('');
  });
});
