import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

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
