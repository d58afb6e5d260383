import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { resolveScale, type Params, type SearchSpace } from '../../src/lib/space';
import type { BenchFunction } from './functions';
import { BestObserved, noiseStream, observe } from './run';

/** Debian's python3-optuna installs into the system interpreter; TPE_PYTHON names another. */
const PYTHON = process.env.TPE_PYTHON ?? '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./tpe.py', import.meta.url));

/** The space with every `auto` scale resolved, as tpe.py expects. */
function resolvedSpace(space: SearchSpace): SearchSpace {
  return Object.fromEntries(Object.entries(space).map(([name, p]) => [name, p.type === 'categorical' ? p : { ...p, scale: resolveScale(p) }]));
}

/**
 * One run of Optuna's TPE (default settings, seeded) under the protocol of `runOnce`: two trials
 * pending, the same noise stream. Returns the regret of its best observed configuration (TPE
 * recommends nothing else). Needs python3 with optuna (Debian: apt-get install python3-optuna).
 */
export function runTpe(fn: BenchFunction, seed: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (error) => reject(new Error(`cannot run ${PYTHON} for TPE: ${error.message}`)));
    const noise = noiseStream(seed);
    const best = new BestObserved();
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const params = JSON.parse(line).params as Params;
      const value = observe(fn, params, noise);
      best.add(value, fn.evaluate(params));
      child.stdin.write(`${JSON.stringify({ value })}\n`);
    });
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`TPE (${PYTHON} ${SCRIPT}) exited ${code}: ${stderr.trim() || 'no message'}; it needs optuna (apt-get install python3-optuna).`));
      else resolve(best.truth - fn.minimum);
    });
    child.stdin.write(`${JSON.stringify({ space: resolvedSpace(fn.space), seed, budget: fn.budget })}\n`);
  });
}
