// Apart from job.ts, which imports the presets: the presets need these while their module loads.

/**
 * 2 added `completion` and `retries`. A version-1 job reads with their defaults (no criteria, one
 * retry), which is what version 1 meant apart from the retry a lost GPU device now gets.
 */
export const JOB_VERSION = 2;

/** Retries for a trial that failed for a reason not its own (a lost GPU device, a crashed worker). */
export const DEFAULT_RETRIES = 1;
export const MAX_RETRIES = 10;
