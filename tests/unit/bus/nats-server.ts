import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listeningPorts, natsConfig } from '../../../scripts/nats/config.mjs';

export interface NatsServer {
  /** nats://127.0.0.1:PORT, for Node clients. */
  url: string;
  /** ws://127.0.0.1:PORT, for browser tabs. */
  wsUrl: string;
  /** http://127.0.0.1:PORT, the monitoring endpoints (/jsz, /connz). */
  monitorUrl: string;
  dir: string;
  /** What the server logged so far. */
  log(): string;
  /**
   * The server's view for a test that failed: JetStream's consumers (delivered, ack pending,
   * waiting pulls) and the connections with their subscriptions.
   */
  state(): Promise<string>;
  stop(): Promise<void>;
}

/** Whether Debian's nats-server is installed (`npm test` installs it; a bare `npx vitest` may run without). */
export function hasNatsServer(): boolean {
  return spawnSync('nats-server', ['--version']).status === 0;
}

/**
 * A real nats-server with JetStream and WebSocket on free loopback ports and a fresh store, with the
 * repo's own config writer (what `npm run nats` runs); stopped and removed by `stop()`.
 */
export async function startNats(extra: { auth?: { user: string; password: string }; tls?: { cert: string; key: string } } = {}): Promise<NatsServer> {
  if (!hasNatsServer()) throw new Error('nats-server is not installed: `npm test` installs it on Debian (apt-get install nats-server).');
  const dir = mkdtempSync(join(tmpdir(), 'tabtune-nats-'));
  const config = join(dir, 'nats.conf');
  writeFileSync(config, natsConfig({ port: -1, wsPort: -1, monitorPort: -1, storeDir: join(dir, 'js'), ...extra }));
  // TABTUNE_NATS_TRACE=1 logs every protocol message (pulls, deliveries, acks) into log(), to chase a hang.
  const trace = process.env.TABTUNE_NATS_TRACE === '1' ? ['-DV'] : [];
  const child: ChildProcess = spawn('nats-server', ['-c', config, ...trace], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const ports = await new Promise<{ port: number; wsPort: number; monitorPort: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nats-server did not start within 10 s:\n${log}`)), 10_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const found = listeningPorts(log);
      if (found.port && found.wsPort && found.monitorPort && /Server is ready/.test(log)) {
        clearTimeout(timer);
        resolve(found as { port: number; wsPort: number; monitorPort: number });
      }
    });
    child.on('exit', (code) => reject(new Error(`nats-server exited with ${code}:\n${log}`)));
  });
  const scheme = extra.tls ? 'wss' : 'ws';
  const monitorUrl = `http://127.0.0.1:${ports.monitorPort}`;
  return {
    url: `nats://127.0.0.1:${ports.port}`,
    wsUrl: `${scheme}://127.0.0.1:${ports.wsPort}`,
    monitorUrl,
    dir,
    log: () => log,
    state: async () => {
      const read = async (path: string) => {
        try {
          return JSON.stringify(await (await fetch(`${monitorUrl}${path}`)).json(), null, 1);
        } catch (error) {
          return `(${path}: ${(error as Error).message})`;
        }
      };
      return `GET /jsz?consumers=true\n${await read('/jsz?consumers=true')}\nGET /connz?subs=detail\n${await read('/connz?subs=detail')}`;
    },
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
