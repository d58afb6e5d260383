/**
 * A SageMaker hyperparameter value with one level of JSON quoting taken off: the Python SDK
 * serializes each value with `json.dumps`, so a string `sgd` arrives as `"sgd"` (`"\"sgd\""` in
 * the JSON file). A value that is not a quoted JSON string is returned as it is.
 */
export function unquote(value: string): string {
  const trimmed = value.trim();
  if (trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')) {
    try {
      const inner: unknown = JSON.parse(trimmed);
      if (typeof inner === 'string') return inner;
    } catch {
      // Not valid JSON quoting (a stray quote): keep it as it is.
    }
  }
  return value;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
