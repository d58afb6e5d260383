/**
 * Every reader reports bad input through this one class so that callers (UI, CLI) can show the
 * message as is and still tell a data problem from a bug. The message always starts with the file
 * (and, inside an archive, the entry) so a user holding six files knows which one to replace.
 */
export class CifarFormatError extends Error {
  readonly file: string;
  /** Record (binary batches) or row (parquet) index inside the file, where the problem is tied to one. */
  readonly record: number | undefined;

  constructor(file: string, detail: string, options: { record?: number; unit?: 'record' | 'row'; cause?: unknown } = {}) {
    const where = options.record === undefined ? '' : `${options.unit ?? 'record'} ${options.record}: `;
    super(`${file}: ${where}${detail}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CifarFormatError';
    this.file = file;
    this.record = options.record;
  }
}

/** Thousands separators make byte counts like 30,730,000 readable in messages. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function describeError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
