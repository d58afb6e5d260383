import type { CategoryValue, FieldError, Parameter, Scale, SearchSpace } from './types';

const SCALES = ['linear', 'log', 'reverse-log', 'auto'];
/** Names become hyperparameter keys, CLI flags and dotted error paths: keep them plain. */
const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * Checks an untrusted search space (from a form, a link or a file). Every problem is reported
 * with the path of the field at fault, so the page can show it next to that field.
 */
export function validateSpace(raw: unknown, path = 'parameters'): { space: SearchSpace; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const space: SearchSpace = {};
  if (!isRecord(raw)) {
    errors.push({ path, message: 'The search space must be an object of named parameters.' });
    return { space, errors };
  }
  const names = Object.keys(raw);
  if (names.length === 0) errors.push({ path, message: 'Add at least one parameter to search.' });
  for (const name of names) {
    const param = validateParameter(raw[name], `${path}.${name}`, errors);
    if (!name.trim()) errors.push({ path: `${path}.${name}`, message: 'A parameter needs a name.' });
    else if (!NAME_PATTERN.test(name)) {
      errors.push({ path: `${path}.${name}`, message: 'Use letters, digits, _ and - in a name, starting with a letter or _.' });
    }
    if (param) space[name] = param;
  }
  return { space, errors };
}

/** Names that collide once trimmed; the form checks this because object keys cannot repeat. */
export function duplicateNames(names: string[]): Set<string> {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const name of names.map((n) => n.trim())) {
    if (seen.has(name)) duplicates.add(name);
    seen.add(name);
  }
  return duplicates;
}

function validateParameter(raw: unknown, path: string, errors: FieldError[]): Parameter | null {
  if (!isRecord(raw)) {
    errors.push({ path, message: 'A parameter must be an object with a type.' });
    return null;
  }
  switch (raw.type) {
    case 'continuous':
    case 'integer':
      return validateNumeric(raw, raw.type, path, errors);
    case 'categorical':
      return validateCategorical(raw, path, errors);
    default:
      errors.push({ path: `${path}.type`, message: 'The type must be continuous, integer or categorical.' });
      return null;
  }
}

function validateNumeric(
  raw: Record<string, unknown>,
  type: 'continuous' | 'integer',
  path: string,
  errors: FieldError[],
): Parameter | null {
  const before = errors.length;
  const min = readBound(raw.min, `${path}.min`, type, errors);
  const max = readBound(raw.max, `${path}.max`, type, errors);
  const scale = raw.scale ?? 'auto';
  if (typeof scale !== 'string' || !SCALES.includes(scale)) {
    errors.push({ path: `${path}.scale`, message: 'The scale must be linear, log, reverse-log or auto.' });
  }
  if (min !== null && max !== null) {
    if (min >= max) errors.push({ path: `${path}.max`, message: `The maximum must be greater than the minimum (${min}).` });
    if (scale === 'log' && min <= 0) errors.push({ path: `${path}.min`, message: 'A log scale needs a minimum above 0.' });
    if (scale === 'reverse-log' && (min < 0 || max >= 1)) {
      errors.push({ path: `${path}.max`, message: 'A reverse-log scale needs 0 ≤ min < max < 1.' });
    }
  }
  if (errors.length > before || min === null || max === null) return null;
  return { type, min, max, scale: scale as Scale };
}

function readBound(value: unknown, path: string, type: 'continuous' | 'integer', errors: FieldError[]): number | null {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number)) {
    errors.push({ path, message: 'Enter a number.' });
    return null;
  }
  if (type === 'integer' && !Number.isInteger(number)) {
    errors.push({ path, message: 'An integer parameter needs whole-number bounds.' });
    return null;
  }
  return number;
}

function validateCategorical(raw: Record<string, unknown>, path: string, errors: FieldError[]): Parameter | null {
  const values = raw.values;
  if (!Array.isArray(values) || values.length === 0) {
    errors.push({ path: `${path}.values`, message: 'List at least one value.' });
    return null;
  }
  const before = errors.length;
  const seen = new Set<string>();
  values.forEach((value: unknown, i) => {
    if (typeof value === 'string' ? value.trim() === '' : typeof value !== 'number' || !Number.isFinite(value)) {
      errors.push({ path: `${path}.values`, message: `Value ${i + 1} is empty; each value must be a non-empty string or a number.` });
      return;
    }
    const key = JSON.stringify(value);
    if (seen.has(key)) errors.push({ path: `${path}.values`, message: `The value ${key} is listed twice.` });
    seen.add(key);
  });
  if (errors.length > before) return null;
  return { type: 'categorical', values: values as CategoryValue[] };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
