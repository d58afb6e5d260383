/**
 * Is a metric regex safe to run on the page? A regex with nested repetition, such as `(a+)+$`,
 * can take longer than the age of the universe on one line, and JavaScript cannot interrupt a
 * running match. So a regex from outside (a share link, an imported job) is timed on sample lines
 * where it can be killed, in a worker (`workers/regex-probe.worker.ts`), and refused when one 1 kB
 * line takes over 50 ms or the worker does not answer in time.
 *
 * The sample lines are a heuristic, not a proof: the engine's own lines padded to 1 kB, and for
 * each character the regex names (and a few common ones) a 1 kB run of it that ends in a character
 * nothing expects, which is what makes nested repetition try every way to split the run.
 */
import { compileMetricRegex } from './definition';
import { metricCapturesInLine } from './parse';

export const REGEX_LIMIT_MS = 50;
export const SAMPLE_LINE_LENGTH = 1024;
/**
 * How long the page waits for the worker's answer before it kills it. The worker measures each
 * line itself against REGEX_LIMIT_MS; this deadline only catches a line that never ends, and is
 * longer than the limit because a message's round trip on a loaded machine takes a while.
 */
export const PROBE_DEADLINE_MS = 1000;
/** How long a probe worker may take to start. */
export const PROBE_START_MS = 15_000;

const ODD = '\u0007';
const COMMON = 'a0 .=,:-_/';

/** Lines of SAMPLE_LINE_LENGTH characters that make a backtracking regex show its worst. */
export function sampleLines(source: string): string[] {
  const pad = (line: string, fill: string) => (line + fill.repeat(SAMPLE_LINE_LENGTH)).slice(0, SAMPLE_LINE_LENGTH - 1) + ODD;
  const lines = [
    pad('Epoch 1, Train loss=2.1234, Validation accuracy=0.', '0'),
    pad('Final, Test accuracy=0.', '4'),
    pad('Epoch 1, Train loss=', ' '),
  ];
  const chars = new Set(COMMON);
  for (const [escape, char] of [['\\d', '1'], ['\\w', 'b'], ['\\s', '\t'], ['\\D', 'c'], ['\\W', '%'], ['\\S', 'd']]) {
    if (source.includes(escape)) chars.add(char);
  }
  for (const char of source) if (char >= ' ' && char <= '~') chars.add(char);
  for (const char of chars) lines.push(pad('', char));
  return lines;
}

/**
 * Runs the regex over the lines the way the metric tracker does (every match in each line), and
 * returns the slowest line's time in ms, stopping at the first line over `limitMs`. A regex that
 * does not compile takes 0 ms here: validation reports it. Synchronous: run it where it can be killed.
 */
export function timeRegex(source: string, lines: string[], limitMs = REGEX_LIMIT_MS, now: () => number = () => performance.now()): number {
  const compiled = compileMetricRegex(source);
  if ('error' in compiled) return 0;
  let slowest = 0;
  for (const line of lines) {
    const start = now();
    metricCapturesInLine(line, compiled.regex);
    slowest = Math.max(slowest, now() - start);
    if (slowest > limitMs) break;
  }
  return slowest;
}

/** Somewhere a regex can be timed and, if it runs on, killed: a worker. */
export interface RegexRunner {
  /** `timeRegex` of the regex over its `sampleLines`; may never settle. */
  time(source: string): Promise<number>;
  /** Ends the runner; a pending `time` may then reject. */
  kill(): void;
}

export interface ProbeOptions {
  /** Starts a runner; resolves once it can take a regex. */
  start: () => Promise<RegexRunner>;
  limitMs?: number;
  deadlineMs?: number;
  startMs?: number;
}

export const refusedMessage = (ms: number | undefined, limitMs = REGEX_LIMIT_MS): string =>
  `Refused: on a ${SAMPLE_LINE_LENGTH / 1024} kB sample line this regex ${ms === undefined ? 'ran on without end' : `took ${Math.round(ms)} ms`} (the limit is ${limitMs} ms), so it could freeze the page. Avoid nested repetition such as (a+)+.`;

/**
 * Times each distinct regex in a runner, one after another, and returns the refused ones with the
 * reason: over the limit, no answer before the deadline (the runner is killed and a new one started
 * for the next regex), or a runner that failed (a regex that cannot be checked is not trusted).
 */
export async function probeRegexes(regexes: Iterable<string>, options: ProbeOptions): Promise<Map<string, string>> {
  const limitMs = options.limitMs ?? REGEX_LIMIT_MS;
  const deadlineMs = options.deadlineMs ?? PROBE_DEADLINE_MS;
  const refused = new Map<string, string>();
  let runner: RegexRunner | undefined;
  for (const source of new Set(regexes)) {
    if ('error' in compileMetricRegex(source)) continue;
    try {
      runner ??= await withDeadline(options.start(), options.startMs ?? PROBE_START_MS, 'the checking worker did not start');
      const ms = await withDeadline(runner.time(source), deadlineMs, undefined);
      if (ms > limitMs) refused.set(source, refusedMessage(ms, limitMs));
    } catch (error) {
      runner?.kill();
      runner = undefined;
      refused.set(source, error instanceof Timeout && error.message === '' ? refusedMessage(undefined, limitMs) : `This regex could not be checked (${(error as Error).message}), so it is not used.`);
    }
  }
  runner?.kill();
  return refused;
}

class Timeout extends Error {}

function withDeadline<T>(promise: Promise<T>, ms: number, message: string | undefined): Promise<T> {
  promise.catch(() => {});
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Timeout(message ?? '')), ms)));
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
