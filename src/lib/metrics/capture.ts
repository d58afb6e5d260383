import { compileMetricRegex, type MetricDefinition } from './definition';
import { metricCapturesInLine } from './parse';

/** What one metric definition reads from some log lines: every capture in order, as written, or why it cannot read. */
export interface MetricCapture {
  name: string;
  captures: string[];
  error?: string;
}

/**
 * Runs each metric definition over the lines on its own, so one broken regex does not hide what
 * the others capture: the live tester under the metric definitions, and the check that flags a
 * regex which matched nothing in a finished trial's log.
 */
export function captureMetrics(definitions: MetricDefinition[], lines: string[]): MetricCapture[] {
  return definitions.map(({ name, regex }) => {
    const compiled = compileMetricRegex(regex);
    if ('error' in compiled) return { name, captures: [], error: compiled.error };
    return { name, captures: lines.flatMap((line) => metricCapturesInLine(line, compiled.regex)) };
  });
}
