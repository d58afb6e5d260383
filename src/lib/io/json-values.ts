/**
 * The JSON values in a text: one document, or several written one after another (pages of an AWS
 * CLI listing appended to one file, JSON lines). Throws JSON.parse's own error for the whole text
 * when it is neither, so the message describes the file the user chose.
 */
export function parseJsonValues(text: string): unknown[] {
  try {
    return [JSON.parse(text)];
  } catch (error) {
    const pieces = splitTopLevel(text);
    if (pieces.length < 2) throw error;
    try {
      return pieces.map((piece) => JSON.parse(piece) as unknown);
    } catch {
      throw error;
    }
  }
}

/** Cuts text into top-level `{…}` / `[…]` values by bracket depth, outside strings; other text between them fails. */
function splitTopLevel(text: string): string[] {
  const pieces: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth < 0) return [];
      if (depth === 0) pieces.push(text.slice(start, i + 1));
    } else if (depth === 0 && !/\s/.test(c)) return [];
  }
  return depth === 0 ? pieces : [];
}
