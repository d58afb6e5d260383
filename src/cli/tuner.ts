/**
 * Ask/tell tuner over JSON lines:
 *   npm run --silent tuner -- --space FILE --seed N [--strategy bayesian|random|grid|hyperband] [--grid-points N]
 *     [--eta N] [--min-epochs N --max-epochs N] [--max-trials N]
 * (hyperband: each trial's params carry its rung's budget as "epochs"; the budget range is the
 * space's "epochs" range unless --min-epochs/--max-epochs give it. bayesian: --max-trials, the
 * number of trials the harness will ask for, lets it spend the last of them on exploitation.)
 * stdout carries protocol lines only (a harness parses it); problems starting up go to stderr
 * with a non-zero exit, problems with a request come back as {"error": ...} and the session goes on.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { STRATEGIES, type StrategyName } from '../lib/tuner';
import { parseTuningProblem, TunerSession } from '../lib/tuner/session';
import { exitUsage, readFlags } from './args';

const USAGE = `Usage: tuner --space FILE --seed N [--strategy ${STRATEGIES.join('|')}] [--grid-points N] [--eta N] [--min-epochs N --max-epochs N] [--max-trials N]`;

function fail(message: string): never {
  exitUsage('tuner', message);
}

function readOptions(argv: string[]): Map<string, string> {
  try {
    const { values } = readFlags(argv, {
      space: { type: 'string' },
      seed: { type: 'string' },
      strategy: { type: 'string' },
      'grid-points': { type: 'string' },
      eta: { type: 'string' },
      'min-epochs': { type: 'string' },
      'max-epochs': { type: 'string' },
      'max-trials': { type: 'string' },
    });
    return new Map(Object.entries(values) as [string, string][]);
  } catch (error) {
    fail(`${(error as Error).message}.\n${USAGE}`);
  }
}

function main(): void {
  const flags = readOptions(process.argv.slice(2));
  const file = flags.get('space');
  if (!file) fail(`--space FILE is required.\n${USAGE}`);
  const seedText = flags.get('seed') ?? '0';
  const seed = Number(seedText);
  if (!Number.isSafeInteger(seed)) fail(`--seed must be an integer, got "${seedText}".`);
  const strategy = (flags.get('strategy') ?? 'bayesian') as StrategyName;
  if (!STRATEGIES.includes(strategy)) fail(`--strategy must be one of ${STRATEGIES.join(', ')}, got "${strategy}".`);
  const whole = (name: string, min: number): number | undefined => {
    const text = flags.get(name);
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!(Number.isInteger(value) && value >= min)) fail(`--${name} must be a whole number of at least ${min}, got "${text}".`);
    return value;
  };
  const gridPoints = whole('grid-points', 1);
  const eta = whole('eta', 2);
  const minEpochs = whole('min-epochs', 1);
  const maxEpochs = whole('max-epochs', 1);
  if (strategy !== 'hyperband' && (eta ?? minEpochs ?? maxEpochs) !== undefined) fail('--eta, --min-epochs and --max-epochs are for --strategy hyperband.');
  const maxTrials = whole('max-trials', 1);
  if (strategy !== 'bayesian' && maxTrials !== undefined) fail('--max-trials is for --strategy bayesian (the others do not plan by it).');

  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    fail(`cannot read the space file "${file}": ${error instanceof Error ? error.message : String(error)}`);
  }
  const { problem, errors } = parseTuningProblem(raw);
  if (!problem) fail(`invalid space file "${file}":\n${errors.map((e) => `  ${e.path || '(root)'}: ${e.message}`).join('\n')}`);

  let session: TunerSession;
  try {
    session = new TunerSession({ problem, strategy, seed, gridPoints, eta, minEpochs, maxEpochs, maxTrials });
  } catch (error) {
    fail(`cannot start ${strategy} on "${file}": ${(error as Error).message}`);
  }
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
  lines.on('line', (line) => {
    if (line.trim() === '') return;
    process.stdout.write(`${JSON.stringify(session.handle(line))}\n`);
  });
  lines.on('close', () => {
    process.exitCode = 0;
  });
}

main();
