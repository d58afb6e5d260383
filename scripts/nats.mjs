#!/usr/bin/env node
// `npm run nats`: a local nats-server with the repo's configuration (scripts/nats/config.mjs), in the
// foreground. Loopback only unless --host says otherwise, and then only with authentication.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { listeningPorts, natsConfig } from './nats/config.mjs';

const USAGE = `Usage: npm run nats -- [--host ADDRESS --user U --password P] [--port N] [--ws-port N] [--store DIR]
                       [--tls-cert FILE --tls-key FILE] | --config FILE
  --host ADDRESS     where both listeners bind (default 127.0.0.1); any other than loopback needs --user/--password
  --port N           client listener for Node workers (default 4222; 0 picks a free port)
  --ws-port N        WebSocket listener for browser tabs (default 8222; 0 picks a free port)
  --store DIR        JetStream's files (default .nats/, which git ignores)
  --user U, --password P   one user every client must log in as (or NATS_USER, NATS_PASSWORD)
  --tls-cert FILE, --tls-key FILE   TLS on both listeners: wss:// for pages served over https
  --config FILE      run nats-server with a configuration of your own instead (nkeys, accounts, clusters)`;

const INSTALL = 'nats-server is not installed. On Debian or Ubuntu: sudo apt-get install nats-server (or see https://docs.nats.io/running-a-nats-service/introduction/installation).';

function refuse(message) {
  console.error(`nats: ${message}`);
  process.exit(2);
}

let flags;
try {
  ({ values: flags } = parseArgs({
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'ws-port': { type: 'string' },
      store: { type: 'string' },
      user: { type: 'string' },
      password: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      config: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (error) {
  refuse(`${error.message} (see --help).`);
}
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}

function portFlag(name, fallback) {
  const text = flags[name];
  if (text === undefined) return fallback;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) refuse(`--${name} must be a whole number from 0 to 65535; got ${text}.`);
  // nats-server reads port 0 as "the default port"; -1 is its "any free port".
  return port === 0 ? -1 : port;
}

/** 127.0.0.0/8, ::1 and localhost: reachable from this machine only. */
function isLoopback(host) {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function readableFile(flag, path) {
  if (!existsSync(path)) refuse(`${flag} ${path}: no such file.`);
  return resolve(path);
}

/** The configuration file to run and how clients reach the server. */
function prepare() {
  const storeDir = resolve(flags.store ?? '.nats');
  if (flags.config !== undefined) {
    const others = ['host', 'port', 'ws-port', 'user', 'password', 'tls-cert', 'tls-key'].filter((name) => flags[name] !== undefined);
    if (others.length > 0) refuse(`--config takes the whole configuration from its file; leave out --${others.join(', --')}.`);
    return { configFile: readableFile('--config', flags.config), host: undefined, tls: undefined };
  }
  const host = flags.host ?? '127.0.0.1';
  const port = portFlag('port', 4222);
  const wsPort = portFlag('ws-port', 8222);
  const user = flags.user ?? process.env.NATS_USER;
  const password = flags.password ?? process.env.NATS_PASSWORD;
  if ((user === undefined) !== (password === undefined)) refuse('--user and --password go together (or NATS_USER and NATS_PASSWORD).');
  if (user === '' || password === '') refuse('--user and --password must not be empty.');
  const auth = user !== undefined ? { user, password } : undefined;
  if (!isLoopback(host) && !auth) {
    refuse(`--host ${host} opens the server to other machines: give --user and --password (or --config FILE with your own authorization); without them it listens on 127.0.0.1 only.`);
  }
  if ((flags['tls-cert'] === undefined) !== (flags['tls-key'] === undefined)) refuse('--tls-cert and --tls-key go together.');
  const tls = flags['tls-cert'] !== undefined ? { cert: readableFile('--tls-cert', flags['tls-cert']), key: readableFile('--tls-key', flags['tls-key']) } : undefined;
  mkdirSync(storeDir, { recursive: true });
  const configFile = join(storeDir, 'nats.conf');
  // It may hold a password: readable by its owner only.
  writeFileSync(configFile, natsConfig({ host, port, wsPort, storeDir, auth, tls }), { mode: 0o600 });
  chmodSync(configFile, 0o600);
  return { configFile, host, tls };
}

if (spawnSync('nats-server', ['--version']).error) {
  console.error(`nats: ${INSTALL}`);
  process.exit(1);
}

const { configFile, host, tls } = prepare();
const child = spawn('nats-server', ['-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
let log = '';
let ready = false;

/** A wildcard bind is reached by this machine's name; anything else by the address it binds. */
function reachableHost(bound) {
  const h = bound ?? host ?? '127.0.0.1';
  if (h === '0.0.0.0' || h === '::' || h === '[::]') return hostname();
  return h.includes(':') && !h.startsWith('[') ? `[${h}]` : h;
}

function announce() {
  const { port, wsPort } = listeningPorts(log);
  const clientHost = /Listening for client connections on (\S+):\d+/.exec(log)?.[1];
  const wsScheme = /Listening for websocket clients on (wss?):/.exec(log)?.[1] ?? (tls ? 'wss' : 'ws');
    console.log(`NATS server is ready (JetStream in ${resolve(flags.store ?? '.nats')}; Ctrl+C stops it).`);
  if (port) console.log(`  Node workers:  npm run worker -- --server nats://${reachableHost(clientHost)}:${port}`);
  if (wsPort) console.log(`  Browser tabs:  the NATS server field in the job settings = ${wsScheme}://${reachableHost(clientHost)}:${wsPort}`);
  if (!wsPort) console.log('  No WebSocket listener in this configuration: browser tabs cannot join.');
}

child.stderr.on('data', (chunk) => {
  const text = chunk.toString();
  if (!ready) {
    log += text;
    if (/Server is ready/.test(log)) {
      ready = true;
      announce();
    }
    return;
  }
  // Ctrl+C in a terminal reaches nats-server too, which may exit before this process hears of it.
  if (/Trapped "(interrupt|terminated)" signal/.test(text)) stopping = true;
  // Once running, only what needs attention.
  for (const line of text.split('\n')) if (/\[(WRN|ERR|FTL)\]/.test(line)) console.error(line);
});

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopping = true;
    if (child.exitCode === null) child.kill('SIGTERM');
  });
}

child.on('exit', (code, signal) => {
  if (stopping) {
    console.log('NATS server stopped.');
    process.exit(0);
  }
  if (!ready) console.error(`nats: nats-server did not start (exit ${code ?? signal}):\n${log.trim()}`);
  else console.error(`nats: nats-server exited (${code ?? signal}).`);
  process.exit(1);
});
