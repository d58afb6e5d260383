/**
 * A Node worker for jobs on a NATS server: pulls trials and trains them with the page's engine on
 * Dawn's WebGPU (or the CPU backend), one GPU per process.
 *   npm run worker -- --server nats://host:4222 [--job ID] [--name N] [--data DIR]
 *                     [--user U --password P | --nkey FILE | --creds FILE] [--tls-ca FILE] [--backend webgpu|cpu]
 * Prints one line per event. Bad flags, a server it cannot reach, an unknown job: one line on
 * stderr and exit 2. Credentials come from flags, NATS_USER/NATS_PASSWORD, an nkey seed file or a creds
 * file, and are never printed.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { connect, credsAuthenticator, nkeyAuthenticator, type ConnectionOptions, type NatsConnection } from '@nats-io/transport-node';
import type { BackendName } from '../lib/device/backend-info';
import { jobIdError } from '../lib/bus/names';
import { UsageError, readFlags } from './args';
import type { LocalCifar, NodeTrainer } from './node-trainer';

const USAGE = `Usage: npm run worker -- --server nats://HOST:4222 [options]
  --server URL          the NATS server's client URL (nats:// or tls://; not the ws:// one for tabs)
  --job ID              serve this job and exit when it ends; without it, serve the newest running job, then the next
  --name N              how the job's page lists this worker (default HOSTNAME-PID)
  --data DIR            CIFAR-10 for jobs that train on it (binary batches, .tar.gz or parquet); synthetic jobs need none
  --user U --password P log in (or NATS_USER, NATS_PASSWORD)
  --nkey FILE           log in with the user nkey whose seed (SU…) this file holds
  --creds FILE          log in with a NATS credentials file, JWT and seed (or NATS_CREDS)
  --tls-ca FILE         trust this certificate authority for a tls server (a self-signed certificate)
  --backend webgpu|cpu  tfjs backend; webgpu runs on Dawn (default webgpu)
Ctrl+C hands the running trial back to the job (another worker runs it) and leaves; twice quits at once.`;

const BACKENDS: BackendName[] = ['webgpu', 'cpu'];

interface Options {
  server: string;
  job?: string;
  name: string;
  dataDir?: string;
  backend: BackendName;
  auth: Pick<ConnectionOptions, 'user' | 'pass' | 'authenticator'>;
  tlsCa?: string;
}

function readOptions(argv: string[], env: NodeJS.ProcessEnv): Options | 'help' {
  const specs = Object.fromEntries(['server', 'job', 'name', 'data', 'user', 'password', 'nkey', 'creds', 'tls-ca', 'backend'].map((n) => [n, { type: 'string' as const }]));
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = readFlags(argv, { ...specs, help: { type: 'boolean', short: 'h' } }));
  } catch (error) {
    const message = (error as Error).message;
    throw new UsageError((error as UsageError).kind ?? 'invalid', error instanceof UsageError && error.kind !== 'missing-value' ? `${message} (see --help).` : `${message}.`);
  }
  if (values.help) return 'help';
  const flag = (name: string) => values[name] as string | undefined;
  const server = flag('server');
  if (!server) throw new UsageError('invalid', '--server nats://HOST:4222 is required (see --help).');
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new UsageError('invalid', `--server must be a URL such as nats://host:4222; got ${server}.`);
  }
  if (url.protocol === 'ws:' || url.protocol === 'wss:') throw new UsageError('invalid', `--server ${server} is a WebSocket URL, for browser tabs; a Node worker uses the client port: nats://${url.hostname}:4222.`);
  if (url.protocol !== 'nats:' && url.protocol !== 'tls:') throw new UsageError('invalid', `--server must be a nats:// or tls:// URL; got ${url.protocol}//….`);
  if (url.username || url.password) throw new UsageError('invalid', '--server must not hold credentials: give --user/--password, NATS_USER/NATS_PASSWORD or --creds FILE.');
  const job = flag('job');
  if (job !== undefined && jobIdError(job)) throw new UsageError('invalid', `--job: ${jobIdError(job)}`);
  const backend = (flag('backend') ?? 'webgpu') as BackendName;
  if (!BACKENDS.includes(backend)) throw new UsageError('invalid', `--backend must be one of ${BACKENDS.join(', ')}; got ${backend}.`);
  return { server, job, name: flag('name') ?? `${hostname()}-${process.pid}`, dataDir: flag('data'), backend, auth: readAuth(flag, env), tlsCa: flag('tls-ca') };
}

function readAuth(flag: (name: string) => string | undefined, env: NodeJS.ProcessEnv): Options['auth'] {
  const user = flag('user') ?? env.NATS_USER;
  const password = flag('password') ?? env.NATS_PASSWORD;
  const creds = flag('creds') ?? env.NATS_CREDS;
  const nkey = flag('nkey');
  if ((user === undefined) !== (password === undefined)) throw new UsageError('invalid', '--user and --password go together (or NATS_USER and NATS_PASSWORD).');
  if ([user, nkey, creds].filter((given) => given !== undefined).length > 1) throw new UsageError('invalid', 'Give one way to log in: --user/--password, --nkey or --creds.');
  if (creds !== undefined) return { authenticator: credsAuthenticator(readSecret('--creds', creds)) };
  if (nkey !== undefined) {
    const seed = new TextDecoder().decode(readSecret('--nkey', nkey)).trim();
    if (!/^SU[A-Z2-7]{56}$/.test(seed)) throw new UsageError('invalid', `--nkey ${nkey} does not hold a user nkey seed (one line starting with SU).`);
    return { authenticator: nkeyAuthenticator(new TextEncoder().encode(seed)) };
  }
  return user !== undefined ? { user, pass: password } : {};
}

function readSecret(flag: string, path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (error) {
    throw new UsageError('invalid', `${flag} ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}.`);
  }
}

async function connectTo(options: Options): Promise<NatsConnection> {
  let ca: string | undefined;
  if (options.tlsCa !== undefined) {
    try {
      ca = readFileSync(options.tlsCa, 'utf8');
    } catch {
      throw new UsageError('invalid', `--tls-ca ${options.tlsCa}: no such file.`);
    }
  }
  try {
    return await connect({
      servers: options.server,
      name: `tabtune-worker ${options.name}`,
      ...options.auth,
      ...(ca ? { tls: { ca } } : {}),
      // Once in, a worker rides out a server restart: the trial it holds stays its own until the ack wait.
      maxReconnectAttempts: -1,
      reconnectTimeWait: 2_000,
    });
  } catch (error) {
    throw new UsageError('invalid', `cannot connect to ${options.server}: ${(error as Error).message}.`);
  }
}

async function readCifar(dir: string): Promise<LocalCifar> {
  const { loadCifarFolder } = await import('./cifar-folder');
  const { imageSetsDigest } = await import('../lib/data/digest');
  try {
    const dataset = await loadCifarFolder(dir);
    return { dir, dataset, sha256: await imageSetsDigest([dataset.train, dataset.test]) };
  } catch (error) {
    throw new UsageError('invalid', `--data ${dir}: ${(error as Error).message}`);
  }
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2), process.env);
  if (options === 'help') {
    say(USAGE);
    return;
  }
  const nc = await connectTo(options);
  const { bindJob } = await import('../lib/bus/setup');
  // An unknown job is a usage error: say so before loading data or tfjs.
  if (options.job) await bindJob(nc, options.job).catch((error: Error) => Promise.reject(new UsageError('invalid', error.message)));
  const cifar = options.dataDir ? await readCifar(options.dataDir) : undefined;
  if (cifar) say(`Data ${cifar.dir}: CIFAR-10, ${cifar.dataset.train.count} training and ${cifar.dataset.test.count} test images, SHA-256 ${cifar.sha256}`);
  const { startBackend } = await import('./start-backend');
  const { NodeTrainer } = await import('./node-trainer');
  const backend = await startBackend(options.backend);
  const trainer: NodeTrainer = new NodeTrainer(backend, cifar);
  const device = `${backend.info.backend}${backend.adapter ? ` (${backend.adapter})` : ''}`;

  const leaving = new AbortController();
  process.on('SIGINT', () => {
    if (leaving.signal.aborted) process.exit(130);
    say('Ctrl+C: handing the running trial back and leaving (Ctrl+C again quits at once).');
    leaving.abort();
  });

  const { serveJob } = await import('../lib/bus/worker');
  const { runningJobs } = await import('../lib/bus/running-jobs');
  const serve = async (job: string) => {
    say(`Joined job ${job} on ${options.server} as ${options.name}, training on ${device}.`);
    await serveJob({ nc, job, name: options.name, trainer, log: say, signal: leaving.signal });
  };

  if (options.job) await serve(options.job);
  else {
    let waiting = false;
    while (!leaving.signal.aborted) {
      const [newest, ...others] = await runningJobs(nc);
      if (!newest) {
        if (!waiting) say(`Waiting: no running job on ${options.server}; this worker joins the next one.`);
        waiting = true;
        await sleep(2_000, leaving.signal);
        continue;
      }
      waiting = false;
      if (others.length > 0) say(`${others.length + 1} jobs are running; joining the newest, ${newest.job} (--job ID picks another).`);
      // A job that ends or vanishes between the listing and the join is simply not served.
      await serve(newest.job).catch((error: Error) => say(`Could not serve job ${newest.job}: ${error.message}`));
    }
    // Inside a job, serveJob has said its own "Leaving: …" line.
    if (waiting) say('Leaving: stopped by its owner.');
  }
  await nc.drain().catch(() => undefined);
}

main().then(
  // Dawn keeps the event loop alive; the worker is done.
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`worker: ${(error as Error).message ?? String(error)}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
