import type { CategoryValue } from './types';

/** A number when the text is one, otherwise the trimmed text: how typed and imported categories are read. */
export function parseCategory(text: string): CategoryValue {
  const trimmed = text.trim();
  return trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
}

/** A fixed hyperparameter's value from text: `true` and `false` are booleans, then as a category. */
export function parseFixedValue(text: string): CategoryValue | boolean {
  const trimmed = text.trim();
  if (trimmed === 'true' || trimmed === 'false') return trimmed === 'true';
  return parseCategory(trimmed);
}
