import * as d3 from 'd3';
import { fromUnit, resolveScale, toUnit, type CategoryValue, type ContinuousParameter, type IntegerParameter, type Parameter, type ResolvedScale } from '../../lib/space';

export type NumericParameter = ContinuousParameter | IntegerParameter;

/**
 * A numeric axis in a parameter's own scale, mapped to pixels with the space's own `toUnit` and
 * `fromUnit` (the scale the tuner searches in: log, reverse-log, linear, `auto` resolved).
 */
export interface NumericAxis {
  kind: 'numeric';
  scale: ResolvedScale;
  /** Ticks and evaluation points fall on whole numbers. */
  integer: boolean;
  domain: [number, number];
  range: [number, number];
  position(value: number): number;
  invert(pixel: number): number;
  ticks(count: number): number[];
}

/** Categories as evenly spaced points, in the space's order. */
export interface CategoricalAxis {
  kind: 'categorical';
  values: CategoryValue[];
  range: [number, number];
  position(value: CategoryValue): number;
  /** The distance between neighbouring categories, in pixels. */
  step: number;
}

export type ParameterAxis = NumericAxis | CategoricalAxis;

export function numericAxis(domain: [number, number], range: [number, number], scale: ResolvedScale, integer = false): NumericAxis {
  const [min, max] = domain;
  const [r0, r1] = range;
  return {
    kind: 'numeric',
    scale,
    integer,
    domain,
    range,
    position: (value) => r0 + toUnit(value, min, max, scale) * (r1 - r0),
    invert: (pixel) => fromUnit(r1 === r0 ? 0 : (pixel - r0) / (r1 - r0), min, max, scale),
    ticks: (count) => {
      const ticks = scale === 'linear' ? d3.ticks(min, max, count) : scale === 'log' ? logTicks(min, max, count) : logTicks(1 - max, 1 - min, count).map((t) => round(1 - t));
      return (integer ? ticks.filter(Number.isInteger) : ticks).sort((a, b) => a - b);
    },
  };
}

export function categoricalAxis(values: CategoryValue[], range: [number, number]): CategoricalAxis {
  const scale = d3.scalePoint<string>().domain(values.map(String)).range(range).padding(0.5);
  return { kind: 'categorical', values, range, position: (value) => scale(String(value)) ?? NaN, step: scale.step() };
}

/** The axis of a searched hyperparameter over its whole search range. */
export function parameterAxis(param: Parameter, range: [number, number]): ParameterAxis {
  if (param.type === 'categorical') return categoricalAxis(param.values, range);
  return numericAxis([param.min, param.max], range, resolveScale(param), param.type === 'integer');
}

/**
 * Ticks of a log axis, at most about `count`: every 1–9 multiple when they fit, else the 1, 2, 5
 * multiples, else the powers of ten (every k-th when even those are too many).
 */
export function logTicks(min: number, max: number, count: number): number[] {
  // Rounded ends, so that 1 − 0.999 still has 0.001 as a tick.
  const all = d3.scaleLog().domain([round(min), round(max)]).ticks(count);
  const mantissa = (t: number) => Math.round(t / 10 ** Math.floor(Math.log10(t) + 1e-9));
  const fits = (ticks: number[]) => ticks.length <= Math.max(2, count);
  if (fits(all)) return all;
  const onetwofive = all.filter((t) => [1, 2, 5].includes(mantissa(t)));
  if (fits(onetwofive) && onetwofive.length >= 2) return onetwofive;
  const decades = all.filter((t) => mantissa(t) === 1);
  if (decades.length < 2) return [min, max];
  const every = Math.ceil(decades.length / Math.max(2, count));
  return decades.filter((_, i) => i % every === 0);
}

/** Enough digits to show any tick exactly and none of floating point's noise. */
const round = (value: number) => Number(value.toPrecision(12));

/** Beyond these magnitudes a number is written with an exponent, so a label stays a few characters. */
const isExtreme = (value: number) => value !== 0 && (Math.abs(value) >= 1e6 || Math.abs(value) < 1e-4);
const plainTick = d3.format('~r');
const exponentTick = d3.format('.3~e');

/** Tick numbers: trailing zeros dropped; 1e+20 rather than twenty-one digits. */
export const formatNumber = (value: number): string => (isExtreme(value) ? exponentTick(value) : plainTick(value));

/** Tooltip and table values: at most 4 significant digits; whole numbers as they are, unless extreme. */
export const formatValue = (value: unknown): string => {
  if (typeof value !== 'number') return String(value ?? '');
  if (Number.isInteger(value) && Math.abs(value) < 1e6) return String(value);
  return Number(value.toPrecision(4)).toString();
};

/** How an axis's title says its scale, e.g. "lr (log scale)". */
export function axisTitle(name: string, axis: ParameterAxis): string {
  if (axis.kind === 'categorical') return name;
  return axis.scale === 'linear' ? name : `${name} (${axis.scale} scale)`;
}

/**
 * A d3.axis-compatible scale for an axis: d3 draws the ticks and labels, our mapping places them
 * (d3 has no reverse-log scale, and this keeps every scale on the space's own mapping).
 */
export function axisScale(axis: ParameterAxis): d3.AxisScale<d3.AxisDomain> {
  const scale = ((value: d3.AxisDomain) => (axis.kind === 'numeric' ? axis.position(Number(value)) : axis.position(value as CategoryValue))) as d3.AxisScale<d3.AxisDomain>;
  scale.domain = () => (axis.kind === 'numeric' ? axis.domain : axis.values.map(String));
  scale.range = () => axis.range;
  scale.copy = () => axisScale(axis);
  return scale;
}

/** A d3 axis for a parameter axis, with its ticks and labels. */
export function axisFor(axis: ParameterAxis, orient: 'bottom' | 'left', ticks: number): d3.Axis<d3.AxisDomain> {
  const base = orient === 'bottom' ? d3.axisBottom(axisScale(axis)) : d3.axisLeft(axisScale(axis));
  if (axis.kind === 'categorical') return base.tickValues(axis.values.map(String)).tickFormat((d) => String(d));
  return base.tickValues(axis.ticks(ticks)).tickFormat((d) => formatNumber(Number(d)));
}

/** The y domain for objective values: their extent with a margin, or [0, 1] with none. */
export function objectiveDomain(values: readonly number[]): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [0, 1];
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const pad = hi > lo ? (hi - lo) * 0.08 : Math.max(Math.abs(hi) * 0.05, 0.01);
  return [lo - pad, hi + pad];
}
