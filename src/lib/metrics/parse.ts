import type { MetricDefinition } from './definition';
import { compileMetricRegex } from './definition';

/** Every value of the metric in one line, in order; captures that are not numbers are skipped. */
export function metricValuesInLine(line: string, regex: RegExp): number[] {
  return metricCapturesInLine(line, regex).map((text) => Number.parseFloat(text));
}

/** The text of every number the metric's first group captures in one line, as written (`0.4120`). */
export function metricCapturesInLine(line: string, regex: RegExp): string[] {
  const global = new RegExp(regex.source, regex.flags.includes('g') ? regex.flags : `${regex.flags}g`);
  const captures: string[] = [];
  for (const match of line.matchAll(global)) {
    if (match[1] !== undefined && Number.isFinite(Number.parseFloat(match[1]))) captures.push(match[1]);
    if (match[0] === '') global.lastIndex++;
  }
  return captures;
}

/**
 * Follows one trial's log as it streams and keeps each metric's history.
 * The objective is the last value seen, as in SageMaker: later epochs supersede earlier ones.
 */
export class MetricTracker {
  private readonly compiled: { name: string; regex: RegExp }[];
  private readonly history = new Map<string, number[]>();

  constructor(definitions: MetricDefinition[]) {
    this.compiled = definitions.map((definition) => {
      const result = compileMetricRegex(definition.regex);
      if ('error' in result) throw new Error(`Metric "${definition.name}": ${result.error}`);
      return { name: definition.name, regex: result.regex };
    });
  }

  /** Reads one line; returns the metric values it held, by name. */
  push(line: string): Record<string, number[]> {
    const found: Record<string, number[]> = {};
    for (const { name, regex } of this.compiled) {
      const values = metricValuesInLine(line, regex);
      if (values.length === 0) continue;
      found[name] = values;
      // A new array each time: callers may keep what values() returned as a snapshot.
      this.history.set(name, [...(this.history.get(name) ?? []), ...values]);
    }
    return found;
  }

  values(name: string): number[] {
    return this.history.get(name) ?? [];
  }

  last(name: string): number | undefined {
    return this.history.get(name)?.at(-1);
  }
}

/** The final value of a metric over a whole log, or undefined when no line matches. */
export function finalMetric(lines: string[], definition: MetricDefinition): number | undefined {
  const tracker = new MetricTracker([definition]);
  for (const line of lines) tracker.push(line);
  return tracker.last(definition.name);
}
