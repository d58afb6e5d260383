import type { Trial } from '../../lib/job';
import type { SearchSpace } from '../../lib/space';
import type { AxisBrush } from '../state/job.svelte';
import { numericAxis, objectiveDomain, parameterAxis, type ParameterAxis } from './scales';

/** One vertical axis: a searched hyperparameter in its scale, or the objective (linear). */
export interface ParallelAxis {
  name: string;
  objective: boolean;
  axis: ParameterAxis;
}

/** The axes in the space's order, then the objective; `range` is [bottom, top] in pixels. */
export function parallelAxes(space: SearchSpace, metric: string, trials: readonly Trial[], range: [number, number]): ParallelAxis[] {
  const axes: ParallelAxis[] = Object.entries(space).map(([name, param]) => ({ name, objective: false, axis: parameterAxis(param, range) }));
  const objectives = trials.flatMap((t) => (t.objective === undefined ? [] : [t.objective]));
  axes.push({ name: metric, objective: true, axis: numericAxis(objectiveDomain(objectives), range, 'linear') });
  return axes;
}

/** A trial's value on an axis; undefined where it has none (the objective of a running trial). */
export function axisValue(trial: Trial, axis: ParallelAxis): number | string | undefined {
  return axis.objective ? trial.objective : trial.params[axis.name];
}

/** The y of a trial on each axis, null where it has no value (its line breaks there). */
export function polyline(trial: Trial, axes: readonly ParallelAxis[]): (number | null)[] {
  return axes.map((a) => {
    const value = axisValue(trial, a);
    if (value === undefined) return null;
    return a.axis.kind === 'numeric' ? (typeof value === 'number' ? a.axis.position(value) : null) : a.axis.position(value);
  });
}

/**
 * The filter a brushed pixel span sets on an axis: the value range it covers on a numeric axis
 * (in the axis's own scale, so a log axis brushes per decade), or the categories inside it.
 */
export function brushFilter(axis: ParameterAxis, span: [number, number]): AxisBrush {
  const [lo, hi] = span[0] <= span[1] ? span : [span[1], span[0]];
  if (axis.kind === 'categorical') return { values: axis.values.filter((v) => axis.position(v) >= lo && axis.position(v) <= hi) };
  const a = axis.invert(lo);
  const b = axis.invert(hi);
  return { min: Math.min(a, b), max: Math.max(a, b) };
}

/**
 * Where a filter's brush is drawn, in pixels: its value range, or a span around the chosen
 * categories (none chosen: no brush). Used to keep a brush on its values when the axis changes.
 */
export function brushSpan(axis: ParameterAxis, brush: AxisBrush): [number, number] | undefined {
  if ('values' in brush) {
    if (axis.kind !== 'categorical') return undefined;
    const ys = brush.values.filter((v) => axis.values.includes(v)).map((v) => axis.position(v));
    if (ys.length === 0) return undefined;
    const pad = axis.step * 0.3;
    return [Math.min(...ys) - pad, Math.max(...ys) + pad];
  }
  if (axis.kind !== 'numeric') return undefined;
  const clamp = (v: number) => Math.min(axis.domain[1], Math.max(axis.domain[0], v));
  const a = axis.position(clamp(brush.min));
  const b = axis.position(clamp(brush.max));
  return [Math.min(a, b), Math.max(a, b)];
}
