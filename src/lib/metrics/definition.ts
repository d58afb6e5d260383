/** A named metric read from log lines by a regex whose first capture group is the number (SageMaker's convention). */
export interface MetricDefinition {
  name: string;
  regex: string;
}

export const DEFAULT_METRIC: MetricDefinition = {
  name: 'Validation-accuracy',
  regex: 'Validation accuracy=([0-9\\.]+)',
};

/** Compiles a metric's regex, or explains why it cannot be used. */
export function compileMetricRegex(source: string): { regex: RegExp } | { error: string } {
  if (!source.trim()) return { error: 'Enter a regex.' };
  let regex: RegExp;
  try {
    regex = new RegExp(source);
  } catch (e) {
    return { error: `The regex does not compile: ${(e as Error).message}` };
  }
  // An empty alternative matches any string; its capture-group count tells us if group 1 exists.
  const groups = new RegExp(`${source}|`).exec('')!.length - 1;
  if (groups < 1) return { error: 'The regex needs a capture group around the number, such as ([0-9\\.]+).' };
  return { regex };
}
