/**
 * Share links: the job form as typed, in the part of the address after `#`.
 *
 * A link is `v<LINK_VERSION>.<payload>`. The payload is a JSON object of the form's fields that
 * differ from `LINK_BASE` (the default job's form), deflated (raw deflate, fflate) and written in
 * base64url, so it needs no escaping in an address. Values are the form's text as typed, invalid
 * ones included, so a link keeps exactly what the page showed. The recipe version the training
 * values were typed under is always written (`r`).
 *
 * Reading never throws: a link that is damaged, cut short or from a newer version gives back every
 * field it could read, the defaults for the rest, and one sentence per problem. A cut link keeps
 * the fields that ended before the cut (deflate decodes a prefix of its text, and a field counts
 * only when the text goes on past it), which is why the short fields come first in the payload.
 *
 * This module is data only: nothing here runs what a link holds. Regexes from a link are checked
 * for run time before the page uses them (`metrics/probe.ts`).
 */
import { deflateSync, Inflate } from 'fflate';
import type { Goal, StrategyName } from '../tuner/types';
import { STRATEGIES } from '../tuner/types';
import type { ParameterType, Scale } from '../space';
import { RECIPE_VERSION } from '../recipe/hyperparameters';
import type { EarlyStopping } from './job';
import { sameValues } from './same-values';

export const LINK_VERSION = 1;

/** One search-space row as typed. A row keeps every field, so switching its type back restores them. */
export interface TypedParameter {
  name: string;
  type: ParameterType;
  min: string;
  max: string;
  scale: Scale;
  /** Comma-separated categorical values. */
  values: string;
}

/** The job form as typed, without the page's row keys: what a link holds. */
/** The job's settings as typed, text fields as text: what a link and the page's form both hold. */
export interface TypedSettings {
  /** Training hyperparameters the job sets, by engine name, as typed. */
  training: Record<string, string>;
  maxJobs: string;
  maxParallelJobs: string;
  strategy: StrategyName;
  earlyStopping: EarlyStopping;
  seed: string;
  /** Completion criteria and retries; an empty criterion is not set. */
  targetObjective: string;
  trialsWithoutImprovement: string;
  maxRuntimeSeconds: string;
  retries: string;
  /** The NATS server's WebSocket URL; empty: the in-page worker pool. */
  natsServer: string;
  goal: Goal;
}

export interface TypedJob extends TypedSettings {
  parameters: TypedParameter[];
  metrics: { name: string; regex: string }[];
  /** The index of the objective's metric row; -1 when the objective names no row. */
  objective: number;
}

/**
 * What fields are compared against: the form of `defaultJob()` (the Quick demo) as of link
 * version 1. It is written out, not computed, because a link means "these fields, the rest as
 * in version 1": when the default job changes, LINK_VERSION goes up and this base stays for
 * reading older links (a unit test keeps it equal to the current default form).
 */
export const LINK_BASE: Readonly<TypedJob> = Object.freeze({
  parameters: [
    { name: 'lr', type: 'continuous', min: '0.003', max: '0.3', scale: 'log', values: '' },
    { name: 'momentum', type: 'continuous', min: '0.8', max: '0.95', scale: 'linear', values: '' },
    { name: 'optimizer', type: 'categorical', min: '', max: '', scale: 'auto', values: 'sgd, nag' },
  ],
  training: { model: 'tiny-cnn', data: 'synthetic', train_size: '160', val_size: '64', batch_size: '16', epochs: '3', width: '4' },
  maxJobs: '8',
  maxParallelJobs: '2',
  strategy: 'bayesian',
  earlyStopping: 'off',
  seed: '1',
  targetObjective: '',
  trialsWithoutImprovement: '',
  maxRuntimeSeconds: '',
  retries: '1',
  natsServer: '',
  metrics: [{ name: 'Validation-accuracy', regex: 'Validation accuracy=([0-9\\.]+)' }],
  objective: 0,
  goal: 'maximize',
} satisfies TypedJob);

export function baseTypedJob(): TypedJob {
  return structuredClone(LINK_BASE) as TypedJob;
}

const PARAMETER_TYPES: readonly ParameterType[] = ['continuous', 'integer', 'categorical'];
const SCALES: readonly Scale[] = ['linear', 'log', 'reverse-log', 'auto'];
/** A link's text is at most this long once inflated: a deflated link cannot expand without bound. */
const MAX_TEXT = 256 * 1024;

type Read<T> = { value: T } | { problem: string };

interface Field<K extends keyof TypedJob = keyof TypedJob> {
  key: K;
  /** Its name in the payload. */
  code: string;
  /** Its name in messages. */
  label: string;
  write(value: TypedJob[K]): unknown;
  read(raw: unknown, problems: string[]): Read<TypedJob[K]>;
}

const text = (raw: unknown): Read<string> => (typeof raw === 'string' ? { value: raw } : { problem: 'not text' });
const oneOf =
  <T extends string>(choices: readonly T[]) =>
  (raw: unknown): Read<T> =>
    choices.includes(raw as T) ? { value: raw as T } : { problem: `${JSON.stringify(raw)} is not one of ${choices.join(', ')}` };

function field<K extends keyof TypedJob>(key: K, code: string, label: string, read: (raw: unknown, problems: string[]) => Read<TypedJob[K]>, write: (value: TypedJob[K]) => unknown = (v) => v): Field<K> {
  return { key, code, label, read, write };
}

function readParameters(raw: unknown, problems: string[]): Read<TypedParameter[]> {
  if (!Array.isArray(raw)) return { problem: 'not a list' };
  const rows: TypedParameter[] = [];
  raw.forEach((row: unknown, i) => {
    const ok = Array.isArray(row) && row.length === 6 && row.every((cell) => typeof cell === 'string');
    const [name, type, min, max, scale, values] = (ok ? row : []) as string[];
    if (!ok || !PARAMETER_TYPES.includes(type as ParameterType) || !SCALES.includes(scale as Scale)) {
      problems.push(`Search-space row ${i + 1} of the link could not be read; it was left out.`);
      return;
    }
    rows.push({ name, type: type as ParameterType, min, max, scale: scale as Scale, values });
  });
  return { value: rows };
}

function readTraining(raw: unknown, problems: string[]): Read<Record<string, string>> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { problem: 'not a set of name and value' };
  const training: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value === 'string') training[name] = value;
    else problems.push(`The link's training value "${name}" could not be read; it follows the recipe.`);
  }
  return { value: training };
}

function readMetrics(raw: unknown, problems: string[]): Read<TypedJob['metrics']> {
  if (!Array.isArray(raw)) return { problem: 'not a list' };
  const metrics: TypedJob['metrics'] = [];
  raw.forEach((row: unknown, i) => {
    if (Array.isArray(row) && row.length === 2 && typeof row[0] === 'string' && typeof row[1] === 'string') metrics.push({ name: row[0], regex: row[1] });
    else problems.push(`Metric ${i + 1} of the link could not be read; it was left out.`);
  });
  return { value: metrics };
}

const readIndex = (raw: unknown): Read<number> => (Number.isInteger(raw) && (raw as number) >= -1 ? { value: raw as number } : { problem: 'not a row number' });

/** In payload order: short fields first, so a cut link loses the long ones. */
const FIELDS: Field[] = [
  field('maxJobs', 'mj', 'max jobs', text),
  field('maxParallelJobs', 'mp', 'max parallel jobs', text),
  field('strategy', 's', 'strategy', oneOf(STRATEGIES)),
  field('earlyStopping', 'es', 'early stopping', oneOf(['off', 'auto'] as const)),
  field('seed', 'sd', 'seed', text),
  field('targetObjective', 'to', 'target objective', text),
  field('trialsWithoutImprovement', 'ti', 'trials without improvement', text),
  field('maxRuntimeSeconds', 'tb', 'time budget', text),
  field('retries', 'rt', 'retries', text),
  field('natsServer', 'ns', 'NATS server', text),
  field('goal', 'g', 'goal', oneOf(['maximize', 'minimize'] as const)),
  field('objective', 'o', 'objective metric', readIndex),
  field('training', 't', 'training values', readTraining),
  field('metrics', 'm', 'metrics', readMetrics, (metrics) => metrics.map((m) => [m.name, m.regex])),
  field('parameters', 'p', 'search space', readParameters, (rows) => rows.map((r) => [r.name, r.type, r.min, r.max, r.scale, r.values])),
] as Field[];

/** The JSON text of a link: the recipe version, then each field that differs from the base. */
export function linkPayload(job: TypedJob): string {
  const payload: Record<string, unknown> = { r: RECIPE_VERSION };
  for (const f of FIELDS) if (!sameValues(job[f.key], LINK_BASE[f.key])) payload[f.code] = f.write(job[f.key] as never);
  return JSON.stringify(payload);
}

/** The part of a share link after `#`: `v1.` and the deflated payload in base64url. */
export function encodeJobLink(job: TypedJob): string {
  return `v${LINK_VERSION}.${toBase64Url(deflateSync(new TextEncoder().encode(linkPayload(job)), { level: 9 }))}`;
}

export interface LinkReading {
  /** Every field the link held that could be read; the base (default) for the rest. */
  job: TypedJob;
  /** One sentence for each thing that could not be read; empty for a good link. */
  problems: string[];
}

/**
 * Reads the part of an address after `#` (with or without the `#`). Undefined when there is none;
 * otherwise a job, whatever the text, and what could not be read. Never throws.
 */
export function decodeJobLink(hash: string): LinkReading | undefined {
  const fragment = hash.startsWith('#') ? hash.slice(1) : hash;
  if (fragment === '') return undefined;
  const job = baseTypedJob();
  const problems: string[] = [];
  const nothing = (why: string): LinkReading => ({ job, problems: [...problems, `${why} Nothing of its job could be read; the form shows the defaults.`] });

  const match = /^v(\d{1,6})\.(.*)$/s.exec(fragment);
  if (!match) return nothing('This address does not hold a TabTune job link (it should start with #v1.).');
  const version = Number(match[1]);
  if (version < 1) return nothing(`This link's version (${version}) is not one TabTune wrote.`);
  if (version > LINK_VERSION) {
    problems.push(`This link was made by a newer TabTune (link version ${version}; this page reads version ${LINK_VERSION}): what this page could read is filled in, the rest is left at its default. Check the form.`);
  }

  const { bytes, stray } = fromBase64Url(match[2]);
  const inflated = inflate(bytes);
  const { text } = inflated;
  // A character a link never holds, early on, is damage; at the end it may be punctuation a messenger added.
  const error = inflated.error ?? (stray !== undefined && !text.trimEnd().endsWith('}') ? `it holds ${JSON.stringify(stray)}, which a link never does` : undefined);
  if (!text.trimStart().startsWith('{')) {
    return nothing(error ? `This link is damaged (${error}).` : bytes.length > 0 ? 'This link was cut short.' : 'This link is empty.');
  }

  let payload: Record<string, unknown>;
  let partial = false;
  try {
    payload = JSON.parse(text) as Record<string, unknown>;
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return nothing('This link is damaged.');
  } catch {
    payload = completeMembers(text);
    partial = true;
  }

  const read: string[] = [];
  for (const f of FIELDS) {
    if (!(f.code in payload)) continue;
    const result = f.read(payload[f.code], problems);
    if ('value' in result) {
      (job as unknown as Record<string, unknown>)[f.key] = result.value;
      read.push(f.label);
    } else problems.push(`The link's ${f.label} could not be read (${result.problem}); it is left at its default.`);
  }
  if (job.objective >= job.metrics.length) {
    problems.push(`The link's objective names metric ${job.objective + 1}, which it does not define; the first metric is the objective.`);
    job.objective = job.metrics.length > 0 ? 0 : -1;
  }

  const known = new Set(['r', ...FIELDS.map((f) => f.code)]);
  const unknown = Object.keys(payload).filter((code) => !known.has(code));
  if (unknown.length > 0) problems.push(`The link holds settings this page does not know (${unknown.join(', ')}); they were ignored.`);
  if ('r' in payload && payload.r !== RECIPE_VERSION) {
    problems.push(`The link's training values were typed under recipe version ${String(payload.r)}; this page trains with recipe version ${RECIPE_VERSION}, whose defaults differ.`);
  }

  if (partial) {
    const why = error ? `This link is damaged (${error})` : 'This link was cut short';
    problems.push(
      read.length > 0
        ? `${why}: only its ${listing(read)} could be read; the rest of the form shows the defaults.`
        : `${why} before its first setting: the form shows the defaults.`,
    );
  }
  return { job, problems };
}

function listing(items: string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/**
 * The members of a JSON object's text that end before it breaks off: a member counts once a comma
 * at the top level follows it (a number cut short would otherwise read as a different number).
 */
export function completeMembers(text: string): Record<string, unknown> {
  const start = text.indexOf('{');
  let depth = 0;
  let inString = false;
  let lastComma = -1;
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 0) lastComma = i;
  }
  if (lastComma < 0) return {};
  try {
    const parsed = JSON.parse(`${text.slice(start, lastComma)}}`) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Raw inflate that keeps what it decoded before the data ended or broke. */
function inflate(bytes: Uint8Array): { text: string; error?: string } {
  const chunks: Uint8Array[] = [];
  let size = 0;
  let error: string | undefined;
  const inflater = new Inflate((chunk) => {
    size += chunk.length;
    if (size > MAX_TEXT) throw new Error('it inflates to more than a job could hold');
    chunks.push(chunk);
  });
  try {
    inflater.push(bytes, false);
    inflater.push(new Uint8Array(0), true);
  } catch (e) {
    error = (e as Error).message;
  }
  const all = new Uint8Array(Math.min(size, MAX_TEXT));
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk.subarray(0, all.length - at), at);
    at += Math.min(chunk.length, all.length - at);
  }
  // A character cut in two at the end decodes as U+FFFD, inside a string that never closes.
  const decoded = new TextDecoder().decode(all);
  // fflate says "unexpected EOF" for data that ends early: that is a cut, not damage.
  if (error && /unexpected EOF/i.test(error)) error = undefined;
  return { text: decoded, error };
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const INDEX = new Map([...ALPHABET].map((c, i) => [c, i]));

export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = bytes.length - i >= 3 ? 4 : bytes.length - i + 1;
    for (let k = 0; k < chars; k++) out += ALPHABET[(n >> (18 - 6 * k)) & 63];
  }
  return out;
}

/**
 * Bytes of base64url text, up to its first character outside the alphabet (`stray`, when there is
 * one); a last character that completes no byte is dropped.
 */
export function fromBase64Url(text: string): { bytes: Uint8Array; stray?: string } {
  let end = 0;
  while (end < text.length && INDEX.has(text[end])) end++;
  const usable = end - (end % 4 === 1 ? 1 : 0);
  const bytes = new Uint8Array(Math.floor((usable * 6) / 8));
  let bits = 0;
  let value = 0;
  let at = 0;
  for (let i = 0; i < usable; i++) {
    value = ((value << 6) | INDEX.get(text[i])!) & 0xffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[at++] = (value >> bits) & 255;
    }
  }
  return { bytes, ...(end < text.length ? { stray: text[end] } : {}) };
}
