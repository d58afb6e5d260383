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
  dir: string;
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
  writeFileSync(config, natsConfig({ port: -1, wsPort: -1, storeDir: join(dir, 'js'), ...extra }));
  const child: ChildProcess = spawn('nats-server', ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const ports = await new Promise<{ port: number; wsPort: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nats-server did not start within 10 s:\n${log}`)), 10_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const found = listeningPorts(log);
      if (found.port && found.wsPort && /Server is ready/.test(log)) {
        clearTimeout(timer);
        resolve(found as { port: number; wsPort: number });
      }
    });
    child.on('exit', (code) => reject(new Error(`nats-server exited with ${code}:\n${log}`)));
  });
  const scheme = extra.tls ? 'wss' : 'ws';
  return {
    url: `nats://127.0.0.1:${ports.port}`,
    wsUrl: `${scheme}://127.0.0.1:${ports.wsPort}`,
    dir,
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
