import type { JobDefinition } from '../config/job';
import type { JobStatus, Trial } from '../job/types';

export const EXPORT_FORMAT = 'tabtune-job';
/** The export format's version: bump it when a reader of version 1 would misread a file. */
export const EXPORT_VERSION = 1;

/**
 * A whole tuning job in one file (Export JSON): its definition, and every trial as the runner
 * recorded it: hyperparameters searched and resolved, objective, metrics, epochs, final line,
 * times, reasons, attempts and logs.
 */
export interface TabTuneExport {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  /** ISO 8601. */
  exportedAt: string;
  app: 'TabTune';
  job: JobDefinition;
  /** The job's status and message when it was exported. */
  status?: JobStatus;
  message?: string;
  trials: Trial[];
}

export interface ExportOptions {
  exportedAt?: Date;
  status?: JobStatus;
  message?: string;
}

export function exportJob(job: JobDefinition, trials: readonly Trial[], options: ExportOptions = {}): TabTuneExport {
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: (options.exportedAt ?? new Date()).toISOString(),
    app: 'TabTune',
    job,
    ...(options.status ? { status: options.status } : {}),
    ...(options.message ? { message: options.message } : {}),
    // The latest step progress is a running trial's, and means nothing once it is in a file.
    trials: trials.map(({ progress: _progress, ...trial }) => trial),
  };
}

/** The export as the file's text (indented, so it reads and diffs). */
export function exportJson(job: JobDefinition, trials: readonly Trial[], options: ExportOptions = {}): string {
  return `${JSON.stringify(exportJob(job, trials, options), null, 2)}\n`;
}

/** `tabtune-2024-05-01-1230.json`: the local date and time, sortable and free of characters file systems refuse. */
export function exportFileName(extension: 'json' | 'csv', date: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `tabtune-${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}-${pad(date.getHours())}${pad(date.getMinutes())}.${extension}`;
}
