import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadCifarFolder } from '../../../src/cli/cifar-folder';
import { NatsTrialBus } from '../../../src/lib/bus/nats-bus';
import type { DatasetRef } from '../../../src/lib/bus/messages';
import { serveJob } from '../../../src/lib/bus/worker';
import { defaultJob, type JobDefinition } from '../../../src/lib/config';
import { imageSetsDigest } from '../../../src/lib/data/digest';
import { JobRunner } from '../../../src/lib/job';
import { RandomStrategy } from '../../../src/lib/tuner/random';
import { imageAt, makeImages } from '../../fixtures/images';
import { writeHfParquet } from '../../fixtures/parquet-writer';
import { encodePng } from '../../fixtures/png-writer';
import { FakeTrainer, until } from '../bus/fake-trainer';
import { startNats, type NatsServer } from '../bus/nats-server';

/*
 * `npm run worker` as a spawned process (tsx, the CPU backend so that trials are quick) against a
 * real nats-server, with the coordinator (NatsTrialBus under a JobRunner) in the test.
 */

const root = fileURLToPath(new URL('../../../', import.meta.url));
let server: NatsServer;
let fixtureDir: string;
const connections: NatsConnection[] = [];
const children: ChildProcess[] = [];
let jobCount = 0;

beforeAll(async () => {
  server = await startNats();
  // A CIFAR-format folder that is not the official set: a few PNGs in Hugging Face's parquet layout.
  fixtureDir = await mkdtemp(join(tmpdir(), 'worker-cifar-'));
  await mkdir(join(fixtureDir, 'plain_text'));
  for (const [split, images] of [['train', makeImages(8, 51)], ['test', makeImages(4, 52)]] as const) {
    const pngs = await Promise.all(Array.from({ length: images.count }, (_, n) => encodePng(imageAt(images, n))));
    await writeFile(join(fixtureDir, 'plain_text', `${split}-00000-of-00001.parquet`), await writeHfParquet(pngs, Array.from(images.labels)));
  }
});
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(connections.splice(0).map((nc) => nc.close().catch(() => undefined)));
});
afterAll(async () => {
  await server?.stop();
  await rm(fixtureDir, { recursive: true, force: true });
});

async function client(): Promise<NatsConnection> {
  const nc = await connect({ servers: server.url });
  connections.push(nc);
  return nc;
}

interface Spawned {
  child: ChildProcess;
  output: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
  waitFor(pattern: RegExp, what: string, timeoutMs?: number): Promise<void>;
}

/** `npm run worker -- …` without npm's own output. */
function spawnWorker(...args: string[]): Spawned {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/worker.ts', ...args], { cwd: root });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    stderr: () => err,
    exited,
    waitFor: (pattern, what, timeoutMs = 60_000) => until(() => pattern.test(out), `${what}; the worker printed:\n${out}\n${err}`, timeoutMs),
  };
}

function runWorker(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/worker.ts', ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
}

function tinyJob(overrides: Partial<JobDefinition> = {}, fixed: JobDefinition['fixed'] = {}): JobDefinition {
  return {
    ...defaultJob(),
    fixed: { model: 'tiny-cnn', data: 'synthetic', train_size: 64, val_size: 16, batch_size: 16, epochs: 1, width: 2, ...fixed },
    maxJobs: 2,
    maxParallelJobs: 1,
    ...overrides,
  };
}

async function coordinator(job: JobDefinition, dataset: DatasetRef = { name: 'synthetic' }) {
  const id = `cli${++jobCount}-${process.pid}`;
  const bus = await NatsTrialBus.open({ nc: await client(), job: id, definition: job, dataset, owner: 'test coordinator', ackWaitMs: 20_000 });
  const runner = new JobRunner(job, new RandomStrategy({ space: job.parameters, goal: 'maximize', seed: 5 }), bus);
  return { id, bus, runner };
}

describe('npm run worker', () => {
  it('without --job waits for a running job, trains its trials with the engine, then waits for the next; Ctrl+C leaves', async () => {
    const worker = spawnWorker('--server', server.url, '--name', 'cli-box', '--backend', 'cpu');
    await worker.waitFor(/Waiting: no running job on nats:\/\/127\.0\.0\.1:\d+; this worker joins the next one\./, 'the worker to wait for a job');
    const job = tinyJob();
    const { id, bus, runner } = await coordinator(job);
    await runner.start();
    expect(runner.status).toBe('completed');
    for (const trial of runner.trials) {
      expect(trial.status).toBe('completed');
      expect(trial.worker).toBe('cli-box');
      // Read from the engine's own lines, as the page reads them.
      expect(trial.logs[0]).toMatch(/^Hyperparameters \{"recipe":\d+,"model":"tiny-cnn"/);
      expect(trial.epochs).toHaveLength(1);
      expect(trial.objective).toBe(trial.epochs![0].valAccuracy);
      expect(trial.objective).toBeGreaterThanOrEqual(0);
      expect(trial.final?.testAccuracy).toBeGreaterThanOrEqual(0);
    }
    // The worker prints a trial's end after the server stored its result, which the runner may hear of first.
    await worker.waitFor(/Trial 2 completed\./, 'the worker to finish trial 2');
    expect(worker.output()).toContain(`Joined job ${id} on ${server.url} as cli-box, training on cpu.`);
    expect(worker.output()).toMatch(/Training trial 1 \(delivery 1\)\.\nTrial 1 completed\./);

    await bus.close();
    await worker.waitFor(new RegExp(`Leaving: job ${id} has ended; 2 trials done\\.\\nWaiting: no running job`), 'the worker to leave the ended job and wait again');
    worker.child.kill('SIGINT');
    expect(await worker.exited).toBe(0);
    expect(worker.output()).toMatch(/Leaving: stopped by its owner\.\n$/);
    expect(worker.stderr()).not.toMatch(/^worker:/m);
  }, 120_000);

  it('Ctrl+C while training hands the trial back (another worker finishes it as the next attempt) and exits', async () => {
    // Long enough to be mid-trial when the signal lands; a soft stop ends it within 4 steps.
    const job = tinyJob({ maxJobs: 1, retries: 1 }, { train_size: 1024, epochs: 4 });
    const { id, bus, runner } = await coordinator(job);
    const done = runner.start();
    const worker = spawnWorker('--server', server.url, '--job', id, '--name', 'leaver', '--backend', 'cpu');
    await until(() => (runner.trials[0]?.progress?.step ?? 0) > 0, `trial 1 to make progress on the worker:\n${worker.output()}`, 60_000);
    worker.child.kill('SIGINT');
    expect(await worker.exited).toBe(0);
    expect(worker.output()).toContain('Handed trial 1 back: leaving.');
    expect(worker.output()).toMatch(/Leaving: stopped by its owner; 0 trials done\.\n$/);

    const rescuer = new FakeTrainer();
    const rescuing = serveJob({ nc: await client(), job: id, name: 'rescuer', trainer: rescuer, heartbeatMs: 200 });
    await done;
    const [trial] = runner.trials;
    expect(trial.status).toBe('completed');
    expect(trial.attempt).toBe(2);
    expect(trial.worker).toBe('rescuer');
    expect(trial.failedAttempts?.[0].reason).toBe('Attempt 1 ended: leaver left the job. NATS redelivered the trial.');
    expect(rescuer.runs.map((s) => s.seed)).toEqual([trial.seed]);
    await bus.close();
    await rescuing;
  }, 120_000);

  it('with --data of another data set it pulls nothing and says why, naming both hashes; with --job it exits 0 when the job ends', async () => {
    const loaded = await loadCifarFolder(fixtureDir);
    const mine = await imageSetsDigest([loaded.train, loaded.test]);
    const theirs = 'ab'.repeat(32);
    const job = tinyJob({ maxJobs: 1 }, { data: 'cifar10', train_size: 8, val_size: 2, batch_size: 2 });
    const { id, bus, runner } = await coordinator(job, { name: 'cifar10', sha256: theirs });
    const done = runner.start();
    const worker = spawnWorker('--server', server.url, '--job', id, '--name', 'other-data', '--data', fixtureDir, '--backend', 'cpu');
    const reason = `the job's CIFAR-10 has SHA-256 ${theirs}; ${fixtureDir} holds ${mine}`;
    await worker.waitFor(/Waiting: /, 'the worker to say why it waits');
    expect(worker.output()).toContain(`Data ${fixtureDir}: CIFAR-10, 8 training and 4 test images, SHA-256 ${mine}`);
    expect(worker.output()).toContain(`Waiting: ${reason}`);
    await until(async () => (await bus.workers()).some((w) => w.state === `waiting: ${reason}`), 'the reason in the worker record');
    expect(runner.trials[0].status).toBe('pending');

    runner.stop('soft');
    await done;
    await bus.close();
    expect(await worker.exited).toBe(0);
    expect(worker.output()).toContain(`Leaving: job ${id} has ended; 0 trials done.`);
    expect(runner.trials[0].status).toBe('stopped');
  }, 120_000);

  it('a bad flag, an unreachable server or an unknown job is one line on stderr and exit 2', async () => {
    const cases: [string[], string][] = [
      [['--bogus'], 'worker: unknown option --bogus (see --help).'],
      [[], 'worker: --server nats://HOST:4222 is required (see --help).'],
      [['--server', 'ws://a:8222'], 'worker: --server ws://a:8222 is a WebSocket URL, for browser tabs; a Node worker uses the client port: nats://a:4222.'],
      [['--server', 'nats://me:pw@a:4222'], 'worker: --server must not hold credentials: give --user/--password, NATS_USER/NATS_PASSWORD or --creds FILE.'],
      [['--server', server.url, '--backend', 'webgl'], 'worker: --backend must be one of webgpu, cpu; got webgl.'],
      [['--server', server.url, '--user', 'u'], 'worker: --user and --password go together (or NATS_USER and NATS_PASSWORD).'],
      [['--server', server.url, '--creds', join(fixtureDir, 'none.creds')], `worker: --creds ${join(fixtureDir, 'none.creds')}: no such file.`],
      [['--server', server.url, '--job', 'no such job'], 'worker: --job: A job id on a NATS server is 1–64 letters, digits, "-" or "_"; got "no such job".'],
      [['--server', server.url, '--job', 'nope'], 'worker: There is no job nope on this NATS server (no stream tabtune-nope-trials).'],
      [['--server', 'nats://127.0.0.1:1'], 'worker: cannot connect to nats://127.0.0.1:1: connection refused.'],
    ];
    for (const [args, message] of cases) {
      const result = runWorker(...args);
      expect(result.stderr.trim(), args.join(' ')).toBe(message);
      expect(result.status, args.join(' ')).toBe(2);
    }
  }, 120_000);
});
