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
