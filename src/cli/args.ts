import { parseArgs } from 'node:util';

/** A command line the script cannot use; `kind` lets each script word it as it always has. */
export class UsageError extends Error {
  constructor(
    readonly kind: 'unknown' | 'missing-value' | 'positional' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}

export type FlagValues = Record<string, string | boolean | undefined>;
export type FlagSpecs = Record<string, { type: 'string' | 'boolean'; short?: string }>;

/**
 * `--name value`, `--name=value` and boolean `--name` flags, read with node:util's parseArgs.
 * A value that starts with one dash, such as `--lr -0.1`, is still a value: parseArgs's strict
 * mode would call it ambiguous, so the flags are checked here, from its tokens, instead. Returns
 * the flags by name and the positional arguments, when `positionals` allows them.
 */
export function readFlags(
  argv: string[],
  flags: FlagSpecs,
  { positionals = false }: { positionals?: boolean } = {},
): { values: FlagValues; positionals: string[] } {
  const { tokens } = parseArgs({ args: argv, options: flags, strict: false, allowPositionals: true, tokens: true });
  const values: FlagValues = {};
  const found: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') {
      if (!positionals) throw new UsageError('positional', `unexpected argument "${token.value}"`);
      found.push(token.value);
      continue;
    }
    if (token.kind === 'option-terminator') continue;
    const spec = flags[token.name];
    if (!spec) throw new UsageError('unknown', `unknown option ${token.rawName}`);
    if (spec.type === 'boolean') {
      values[token.name] = true;
      continue;
    }
    // Out of strict mode parseArgs takes the next argument as the value even when it is another flag.
    const value = !token.inlineValue && token.value?.startsWith('--') ? undefined : token.value;
    if (value === undefined || value === '') throw new UsageError('missing-value', `${token.rawName} needs a value`);
    values[token.name] = value;
  }
  return { values, positionals: found };
}

/** Ends a script whose command line it cannot use: one line naming the script, the usage, and exit status 2. */
export function exitUsage(script: string, message: string, usage?: string): never {
  process.stderr.write(`${script}: ${message}\n${usage ? `${usage}\n` : ''}`);
  process.exit(2);
}

/** `text` as a whole number ≥ `min`, or a UsageError naming the flag. */
export function wholeNumberFlag(name: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min) throw new UsageError('invalid', `--${name} must be a whole number ≥ ${min}, got "${text}".`);
  return value;
}

/**
 * readFlags for scripts: defaults filled in, and any usage error ends the script with `exitUsage`.
 * `read` turns the flags into the script's options and may throw UsageError too.
 */
export function scriptOptions<T>(script: string, usage: string, argv: string[], specs: FlagSpecs, defaults: Record<string, string>, read: (values: FlagValues) => T): T {
  try {
    const { values } = readFlags(argv, specs);
    return read({ ...defaults, ...values });
  } catch (error) {
    if (error instanceof UsageError) exitUsage(script, error.message, usage);
    throw error;
  }
}
