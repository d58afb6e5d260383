import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { nkeys } from '@nats-io/nats-core';
import { natsConfig } from '../../../scripts/nats/config.mjs';
import { afterEach, describe, expect, it } from 'vitest';
import { hasNatsServer } from '../bus/nats-server';

/* `npm run nats` as a spawned process: it must start, print where to connect, and guard what it exposes. */

const root = fileURLToPath(new URL('../../../', import.meta.url));
const running: { child: ChildProcess; dir: string }[] = [];

afterEach(async () => {
  for (const { child, dir } of running.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

/** `npm run worker` up to where it would load the engine: `--job nope` shows it got in (the job is unknown). */
function workerLogin(url: string, ...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/worker.ts', '--server', url, '--job', 'nope', ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
}
const GOT_IN = 'worker: There is no job nope on this NATS server (no stream tabtune-nope-trials).';

function run(args: string[], env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(process.execPath, ['scripts/nats.mjs', ...args], { cwd: root, encoding: 'utf8', timeout: 10_000, env });
}

/** Starts the script on free ports and returns the URLs it printed. */
async function start(args: string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), 'tabtune-nats-script-'));
  return startWith(['--port', '0', '--ws-port', '0', '--store', dir, ...args], dir);
}

/** Runs the script with exactly these flags; `dir` is removed after the test. */
async function startWith(args: string[], dir: string): Promise<{ nats: string; ws: string; dir: string; child: ChildProcess; output: () => string }> {
  if (!hasNatsServer()) throw new Error('nats-server is not installed: `npm test` installs it on Debian (apt-get install nats-server).');
  const child = spawn(process.execPath, ['scripts/nats.mjs', ...args], { cwd: root });
  running.push({ child, dir });
  let out = '';
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const urls = await new Promise<{ nats: string; ws: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm run nats printed no URLs within 15 s:\n${out}`)), 15_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const nats = /--server (nats:\/\/\S+)/.exec(out)?.[1];
      const ws = /= (wss?:\/\/\S+)/.exec(out)?.[1];
      if (nats && ws) {
        clearTimeout(timer);
        resolve({ nats, ws });
      }
    });
    child.on('exit', (code) => reject(new Error(`npm run nats exited with ${code}:\n${out}`)));
  });
  return { ...urls, dir, child, output: () => out };
}

/** The HTTP status a WebSocket upgrade request gets from `url` (ws:// or wss://, trusting `ca`). */
function upgradeStatus(url: string, ca?: string): Promise<number> {
  const { protocol, hostname, port } = new URL(url);
  const request = protocol === 'wss:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port: Number(port), path: '/', ca, headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' } });
    req.on('upgrade', (response, socket) => {
      socket.destroy();
      resolve(response.statusCode ?? 0);
    });
    req.on('response', (response) => resolve(response.statusCode ?? 0));
    req.on('error', reject);
    req.end();
  });
}

describe('npm run nats', () => {
  it('starts a loopback server with JetStream, prints the URLs for workers and tabs, and stops on Ctrl+C', async () => {
    const server = await start();
    expect(server.nats).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
    expect(server.ws).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    const nc = await connect({ servers: server.nats });
    const account = await (await jetstreamManager(nc)).getAccountInfo();
    expect(account.streams).toBe(0);
    await nc.close();
    // The WebSocket listener answers the upgrade a browser would send.
    expect(await upgradeStatus(server.ws)).toBe(101);
    expect(statSync(join(server.dir, 'nats.conf')).mode & 0o077).toBe(0);

    const exited = new Promise<number | null>((resolve) => server.child.once('exit', resolve));
    server.child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(server.output()).toContain('NATS server stopped.');
  });

  it('refuses a non-loopback host without authentication, and other bad flags, with one line and exit 2', () => {
    const open = run(['--host', '0.0.0.0', '--store', join(tmpdir(), 'never-made')]);
    expect(open.status).toBe(2);
    expect(open.stderr.trim()).toBe(
      'nats: --host 0.0.0.0 opens the server to other machines: give --user and --password (or --config FILE with your own authorization); without them it listens on 127.0.0.1 only.',
    );
    expect(open.stdout).toBe('');
    const half = run(['--user', 'alice']);
    expect(half.status).toBe(2);
    expect(half.stderr.trim()).toBe('nats: --user and --password go together (or NATS_USER and NATS_PASSWORD).');
    const port = run(['--port', '70000']);
    expect(port.status).toBe(2);
    expect(port.stderr.trim()).toBe('nats: --port must be a whole number from 0 to 65535; got 70000.');
    const unknown = run(['--bogus']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr.trim()).toBe("nats: Unknown option '--bogus' (see --help).");
    const mixed = run(['--config', 'nats.conf', '--host', '0.0.0.0']);
    expect(mixed.status).toBe(2);
    expect(mixed.stderr.trim()).toBe('nats: --config takes the whole configuration from its file; leave out --host.');
  });

  it("the README's configuration lines are the ones this script writes", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const block = /```\n(listen: "0\.0\.0\.0:4222"\n[\s\S]*?)```/.exec(readme.replace(/^ {2}/gm, ''))?.[1];
    const written = natsConfig({ host: '0.0.0.0', storeDir: '/var/lib/tabtune/nats', auth: { user: 'tabtune', password: 'PASSWORD' }, tls: { cert: '/etc/tabtune/fullchain.pem', key: '/etc/tabtune/privkey.pem' } });
    expect(block).toBe(written);
    expect(readme).toContain('npm run nats -- --host 0.0.0.0 --user tabtune --password');
    expect(readme).toContain('--tls-cert /etc/tabtune/fullchain.pem --tls-key /etc/tabtune/privkey.pem');
  });

  it('says how to install nats-server when it is missing', () => {
    // Only node's own folder on the PATH: no nats-server there.
    const missing = run([], { ...process.env, PATH: join(process.execPath, '..') });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('nats-server is not installed. On Debian or Ubuntu: sudo apt-get install nats-server');
  });

  it('with --user and --password on a wildcard host, refuses a client without them and admits one with them', async () => {
    const server = await start(['--host', '0.0.0.0', '--user', 'alice', '--password', 's3cret pass']);
    expect(server.output()).not.toContain('s3cret');
    const url = server.nats.replace(/\/\/[^:]+:/, '//127.0.0.1:');
    await expect(connect({ servers: url })).rejects.toThrow(/Authorization/i);
    await expect(connect({ servers: url, user: 'alice', pass: 'wrong' })).rejects.toThrow(/Authorization/i);
    const nc = await connect({ servers: url, user: 'alice', pass: 's3cret pass' });
    expect((await (await jetstreamManager(nc)).getAccountInfo()).streams).toBe(0);
    await nc.close();
    // The Node worker logs in with the flags or the environment, and never prints the password.
    expect(workerLogin(url).stderr.trim()).toBe(`worker: cannot connect to ${url}: Authorization Violation.`);
    const withFlags = workerLogin(url, '--user', 'alice', '--password', 's3cret pass');
    expect(withFlags.stderr.trim()).toBe(GOT_IN);
    const withEnv = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/worker.ts', '--server', url, '--job', 'nope'], { cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NATS_USER: 'alice', NATS_PASSWORD: 's3cret pass' } });
    expect(withEnv.stderr.trim()).toBe(GOT_IN);
    expect(withFlags.stdout + withFlags.stderr + withEnv.stdout + withEnv.stderr).not.toContain('s3cret');
  });

  it('--config FILE runs a configuration of your own: nkey users, and a worker logs in with --nkey', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tabtune-nkey-'));
    try {
      const user = nkeys.createUser();
      const seedFile = join(dir, 'worker.nk');
      writeFileSync(seedFile, `${new TextDecoder().decode(user.getSeed())}\n`, { mode: 0o600 });
      const config = join(dir, 'nats.conf');
      // The nats-server line for nkey users, as the README gives it.
      writeFileSync(config, `${natsConfig({ port: -1, wsPort: -1, storeDir: join(dir, 'js') })}authorization { users: [ { nkey: ${user.getPublicKey()} } ] }\n`);
      const server = await startWith(['--config', config], dir);
      expect(workerLogin(server.nats).stderr.trim()).toBe(`worker: cannot connect to ${server.nats}: Authorization Violation.`);
      expect(workerLogin(server.nats, '--nkey', seedFile).stderr.trim()).toBe(GOT_IN);
      const other = join(dir, 'other.nk');
      writeFileSync(other, 'not a seed\n');
      expect(workerLogin(server.nats, '--nkey', other).stderr.trim()).toBe(`worker: --nkey ${other} does not hold a user nkey seed (one line starting with SU).`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('with --tls-cert and --tls-key serves TLS on both listeners (wss:// for tabs); a worker trusts it with --tls-ca', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tabtune-cert-'));
    try {
      const cert = join(dir, 'cert.pem');
      const key = join(dir, 'key.pem');
      const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { encoding: 'utf8' });
      if (made.error || made.status !== 0) throw new Error(`openssl could not make a test certificate (is openssl installed?): ${made.error?.message ?? made.stderr}`);
      const server = await start(['--tls-cert', cert, '--tls-key', key]);
      expect(server.ws).toMatch(/^wss:\/\//);
      const ca = readFileSync(cert, 'utf8');
      // A client that does not trust the certificate is refused; one that does connects over TLS.
      await expect(connect({ servers: server.nats, tls: {} })).rejects.toThrow();
      const nc = await connect({ servers: server.nats, tls: { ca } });
      expect(nc.info?.tls_required).toBe(true);
      await nc.close();
      expect(workerLogin(server.nats).status).toBe(2);
      expect(workerLogin(server.nats, '--tls-ca', cert).stderr.trim()).toBe(GOT_IN);
      const upgrade = await upgradeStatus(server.ws, ca);
      expect(upgrade).toBe(101);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
