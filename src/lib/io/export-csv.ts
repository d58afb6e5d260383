import type { JobDefinition } from '../config/job';
import type { Trial } from '../job/types';

/** Leading characters a spreadsheet reads as the start of a formula (OWASP's list: = + - @, tab, carriage return). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell: prefixed with `'` when it starts like a formula, so that a spreadsheet shows it
 * as text instead of evaluating it (CSV injection), then quoted per RFC 4180 when it holds a
 * comma, a quote or a line break (quotes doubled). Every cell is checked, numbers included: a
 * negative number such as -0.5 is written '-0.5. A number cell cannot carry a formula, but
 * telling numbers from text here would be one more rule to get wrong, and a spreadsheet still
 * reads '-0.5 as the text of the number; safe and simple beats clever.
 */
export function csvCell(value: string | number | boolean | undefined): string {
  if (value === undefined) return '';
  let text = String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The trial table as CSV (Export CSV), one row per trial in trial order: number, status, each
 * searched hyperparameter (the job's names, in its order), the objective, the duration in
 * seconds and the reason a trial failed or stopped. Rows end in CRLF (RFC 4180).
 */
export function exportCsv(job: JobDefinition, trials: readonly Trial[]): string {
  const names = Object.keys(job.parameters);
  const header = ['number', 'status', ...names, `objective (${job.objective.metric})`, 'duration_s', 'reason'];
  const rows = [...trials]
    .sort((a, b) => a.number - b.number)
    .map((trial) => [
      trial.number,
      trial.status,
      ...names.map((name) => trial.params[name]),
      trial.objective,
      trial.startedAt !== undefined && trial.endedAt !== undefined ? Math.round((trial.endedAt - trial.startedAt) / 100) / 10 : undefined,
      trial.reason,
    ]);
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
