import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/lib/rng';

const root = join(__dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'tuner-cli-'));

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** Runs the CLI through Node with the tsx loader, feeding `lines` then EOF. */
function runCli(args: string[], lines: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/tuner.ts', ...args], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => {});
    child.stdin.end(lines.map((l) => `${l}\n`).join(''));
  });
}

/**
 * Runs the CLI as a harness would: each `ask` of one trial waits for its answer, and the trial is
 * told `value(x)`. Returns the x of every trial asked, in order.
 */
async function askAndTell(args: string[], warmStart: string[], asks: number, value: (x: number) => number): Promise<number[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/tuner.ts', ...args], { cwd: root });
  const replies = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const request = async (line: string) => {
    child.stdin.write(`${line}\n`);
    const reply = JSON.parse((await replies.next()).value as string);
    if (reply.error) throw new Error(reply.error);
    return reply;
  };
  const asked: number[] = [];
  for (const line of warmStart) await request(line);
  for (let i = 0; i < asks; i++) {
    const [trial] = (await request('{"ask": 1}')).trials;
    asked.push(trial.params.x);
    await request(JSON.stringify({ tell: { id: trial.id, value: value(trial.params.x) } }));
  }
  child.stdin.end();
  return asked;
}

const job = {
  version: 1,
  objective: { metric: 'val_acc', goal: 'maximize' },
  metricDefinitions: [{ name: 'val_acc', regex: 'acc=(\\S+)' }],
  fixed: { epochs: 3 },
  strategy: 'bayesian',
  maxJobs: 10,
  parameters: {
    lr: { type: 'continuous', min: 0.0001, max: 0.1, scale: 'log' },
    batch: { type: 'integer', min: 16, max: 128 },
    opt: { type: 'categorical', values: ['sgd', 'adam', 3] },
  },
};

describe('tuner CLI', () => {
  it('runs an ask/tell session, reports errors on bad lines and exits 0 on EOF', async () => {
    const space = file('job.json', job);
    const { code, stdout, stderr } = await runCli(['--seed', '7', '--space', space], [
      '{"ask": 2}',
      '{"tell": {"id": "t1", "value": 0.61}}',
      '{"report": {"id": "t2", "step": 1, "value": 0.3}}',
      '{"tell": {"id": "t2", "failed": true}}',
      '{"tell": {"params": {"lr": 0.01, "batch": 64, "opt": 3}, "value": 0.7}}',
      'this is not json',
      '{"tell": {"id": "t99", "value": 1}}',
      '{"tell": {"params": {"lr": 5, "batch": 64, "opt": "sgd"}, "value": 0.7}}',
      '{"tell": {"params": {"lr": 0.01, "batch": 64.5, "opt": "sgd"}, "value": 0.7}}',
      '{"report": {"id": "nope", "step": 1, "value": 0.3}}',
      '{"ask": 3}',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const out = stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(out).toHaveLength(11);
    expect(out[0].trials).toHaveLength(2);
    expect(out[0].trials.map((t: { id: string }) => t.id)).toEqual(['t1', 't2']);
    for (const t of [...out[0].trials, ...out[10].trials]) {
      expect(Object.keys(t.params)).toEqual(['lr', 'batch', 'opt']);
      expect(t.params.lr).toBeGreaterThanOrEqual(0.0001);
      expect(t.params.lr).toBeLessThanOrEqual(0.1);
      expect(Number.isInteger(t.params.batch)).toBe(true);
      expect(['sgd', 'adam', 3]).toContain(t.params.opt);
    }
    expect(out.slice(1, 5)).toEqual([{ ok: true }, { stop: false }, { ok: true }, { ok: true }]);
    expect(out[5].error).toMatch(/Malformed/);
    expect(out[6].error).toMatch(/Unknown trial id "t99"/);
    expect(out[7].error).toMatch(/lr.*out of range/);
    expect(out[8].error).toMatch(/batch.*integer/);
    expect(out[9].error).toMatch(/Unknown trial id/);
    expect(out[10].trials).toHaveLength(3);
  });

  it('replays identically for the same seed, with flags in any order and each strategy', async () => {
    const space = file('job2.json', job);
    const lines = ['{"ask": 2}', '{"tell": {"id": "t1", "value": 0.5}}', '{"ask": 1}'];
    const a = await runCli(['--space', space, '--seed', '3', '--strategy', 'random'], lines);
    const b = await runCli(['--strategy=random', '--seed=3', `--space=${space}`], lines);
    expect(a.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    const grid = await runCli(['--strategy', 'grid', '--space', space, '--seed', '1', '--grid-points', '2'], ['{"ask": 1000}']);
    expect(JSON.parse(grid.stdout).trials).toHaveLength(2 * 113 * 3);
  });

  it('recommends the configuration with the best posterior mean (bayesian) or the best observed (random)', async () => {
    const space = file('job3.json', {
      objective: { metric: 'loss', goal: 'minimize' },
      parameters: { x: { type: 'continuous', min: 0, max: 1 } },
    });
    // A smooth bowl with its minimum at 0.3, and one lucky result at 0.7 that beats every other.
    const tells = Array.from({ length: 11 }, (_, i) => `{"tell": {"params": {"x": ${i / 10}}, "value": ${4 * (i / 10 - 0.3) ** 2}}}`);
    const lines = ['{"recommend": true}', ...tells, '{"tell": {"params": {"x": 0.72}, "value": -0.1}}', '{"ask": 1}', '{"tell": {"id": "t1", "failed": true}}', '{"recommend": true}', '{"recommend": 1}'];
    const bayes = await runCli(['--space', space, '--seed', '2'], lines);
    expect(bayes.stderr).toBe('');
    const out = bayes.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(out[0]).toEqual({ params: null, mean: null, sd: null, observed: null, id: null, runs: 0, basis: null });
    const r = out[out.length - 2];
    expect(r.basis).toBe('model');
    expect(Math.abs(r.params.x - 0.3)).toBeLessThanOrEqual(0.1);
    expect(r.observed).toBeCloseTo(4 * (r.params.x - 0.3) ** 2, 12);
    expect(Math.abs(r.mean - r.observed)).toBeLessThan(0.1);
    expect(r.sd).toBeGreaterThan(0);
    expect(r.id).toBeNull();
    expect(out[out.length - 1].error).toMatch(/"recommend" takes true/);

    const random = await runCli(['--space', space, '--seed', '2', '--strategy', 'random'], lines);
    const best = JSON.parse(random.stdout.trim().split('\n').at(-2)!);
    expect(best).toEqual({ params: { x: 0.72 }, mean: null, sd: null, observed: -0.1, id: null, runs: 1, basis: 'observed' });
  });

  it('with --max-trials, spends the last ask under noise on the point the model believes best', async () => {
    const space = file('job-max-trials.json', { objective: { metric: 'loss', goal: 'minimize' }, parameters: { x: { type: 'continuous', min: 0, max: 1 } } });
    // A bowl with its minimum at 0.3, told with noise σ 0.1: warm-start results over the range, then 15 asks.
    const noisy = () => {
      const rng = createRng(4);
      return (x: number) => 4 * (x - 0.3) ** 2 + 0.1 * rng.normal();
    };
    const warm = noisy();
    const warmStart = Array.from({ length: 12 }, (_, i) => JSON.stringify({ tell: { params: { x: i / 11 }, value: warm(i / 11) } }));
    const without = await askAndTell(['--space', space, '--seed', '5'], warmStart, 15, noisy());
    const within = await askAndTell(['--space', space, '--seed', '5', '--max-trials', '15'], warmStart, 15, noisy());
    // 7 % of 15 rounds to the last ask alone; the asks before it are the search's as without a budget.
    expect(within.slice(0, 14)).toEqual(without.slice(0, 14));
    expect(within[14]).not.toBe(without[14]);
    expect(Math.abs(within[14] - 0.3)).toBeLessThan(0.1);

    for (const [args, message] of [
      [['--max-trials', '0'], /--max-trials must be a whole number of at least 1, got "0"/],
      [['--max-trials', '10', '--strategy', 'random'], /--max-trials is for --strategy bayesian/],
    ] as const) {
      const result = await runCli(['--space', space, '--seed', '1', ...args], []);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(message);
    }
  });

  it('runs hyperband: each trial carries its rung and epochs, and the best of a rung is promoted', async () => {
    const space = file('hb.json', {
      objective: { metric: 'loss', goal: 'minimize' },
      parameters: { x: { type: 'continuous', min: 0, max: 1 }, epochs: { type: 'integer', min: 1, max: 9 } },
    });
    const first = await runCli(['--space', space, '--seed', '4', '--strategy', 'hyperband'], ['{"ask": 6}']);
    expect(first.stderr).toBe('');
    const trials: { id: string; params: { x: number; epochs: number }; epochs: number; rung: number }[] = JSON.parse(first.stdout).trials;
    expect(trials).toHaveLength(6);
    for (const t of trials) {
      expect(t.params.epochs).toBe(t.epochs);
      expect([1, 3, 9][t.rung]).toBe(t.epochs);
    }
    // Told every value (loss = x), the best of the rung-0 runs goes on to 3 epochs at the next ask.
    const rung0 = trials.filter((t) => t.rung === 0);
    expect(rung0.length).toBeGreaterThanOrEqual(3);
    const tells = trials.map((t) => JSON.stringify({ tell: { id: t.id, value: t.params.x } }));
    const second = await runCli(['--space', space, '--seed', '4', '--strategy', 'hyperband'], ['{"ask": 6}', ...tells, '{"ask": 1}', '{"recommend": true}']);
    const out = second.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(out[0].trials).toEqual(trials);
    const [promoted] = out[7].trials;
    const best = rung0.reduce((a, b) => (b.params.x < a.params.x ? b : a));
    expect(promoted).toMatchObject({ rung: 1, epochs: 3, params: { x: best.params.x, epochs: 3 } });
    // The recommendation names its budget: the highest rung any configuration completed.
    expect(out[8].params.epochs).toBe(Math.max(...trials.map((t) => t.epochs)));

    const noBudget = await runCli(['--space', file('hb-none.json', { objective: { goal: 'minimize' }, parameters: { x: { type: 'continuous', min: 0, max: 1 } } }), '--strategy', 'hyperband'], []);
    expect(noBudget.code).not.toBe(0);
    expect(noBudget.stderr).toMatch(/search "epochs" as an integer range/);
    const withRange = await runCli(['--space', file('hb-none2.json', { objective: { goal: 'minimize' }, parameters: { x: { type: 'continuous', min: 0, max: 1 } } }), '--strategy', 'hyperband', '--min-epochs', '2', '--max-epochs', '18'], ['{"ask": 1}']);
    expect(withRange.stderr).toBe('');
    expect([2, 6, 18]).toContain(JSON.parse(withRange.stdout).trials[0].epochs);
  });

  it('exits non-zero at once with a clear stderr message for an invalid space file', async () => {
    const bad = file('bad.json', { objective: { metric: 'loss', goal: 'lower' }, parameters: { lr: { type: 'continuous', min: 1, max: 0.5 } } });
    const result = await runCli(['--space', bad, '--seed', '1'], ['{"ask": 1}']);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/objective\.goal/);
    expect(result.stderr).toMatch(/parameters\.lr\.max/);
    const broken = await runCli(['--space', file('broken.json', '{"objective":'), '--seed', '1'], []);
    expect(broken.code).not.toBe(0);
    expect(broken.stderr).toMatch(/cannot read the space file/);
    const missing = await runCli(['--seed', '1'], []);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/--space/);
  });
});
