import * as Comlink from 'comlink';
import { describe, expect, it } from 'vitest';
import { connectWorker } from '../../../workers/connect';
import { LIFECYCLE_KEY } from '../../../workers/expose';

interface EchoApi {
  echo(text: string): string;
  never(): Promise<never>;
}

/**
 * A stand-in for a Web Worker: the "worker side" is a Comlink-exposed object on the other end of
 * a MessageChannel, and the test fires the events a real worker would.
 */
class FakeWorker extends EventTarget {
  terminated = false;
  private readonly port: MessagePort;

  constructor(api: EchoApi) {
    super();
    const channel = new MessageChannel();
    Comlink.expose(api, channel.port2);
    this.port = channel.port1;
    this.port.addEventListener('message', (event) => this.dispatchEvent(new MessageEvent('message', { data: event.data })));
    this.port.start();
  }

  postMessage(message: unknown, transfer: Transferable[] = []): void {
    this.port.postMessage(message, transfer);
  }

  /** What the worker's own `exposeToPage` and `reportFatal` send. */
  lifecycle(message: Record<string, unknown>): void {
    this.dispatchEvent(new MessageEvent('message', { data: { [LIFECYCLE_KEY]: message.kind, ...message } }));
  }

  terminate(): void {
    this.terminated = true;
    this.port.close();
  }
}

const echo: EchoApi = { echo: (text) => `echo ${text}`, never: () => new Promise<never>(() => {}) };

function start() {
  const worker = new FakeWorker(echo);
  const connection = connectWorker<EchoApi>(worker as unknown as Worker, 'test');
  return { worker, connection };
}

function errorEvent(message?: string): Event {
  const event = new Event('error', { cancelable: true });
  if (message) Object.defineProperty(event, 'message', { value: message });
  return event;
}

describe('connectWorker', () => {
  it('passes calls through to a live worker', async () => {
    const { worker, connection } = start();
    worker.lifecycle({ kind: 'ready' });
    await expect(connection.api.echo('hi')).resolves.toBe('echo hi');
    connection.terminate();
  });

  it('rejects pending and later calls when a started worker crashes, and says so once', async () => {
    const { worker, connection } = start();
    worker.lifecycle({ kind: 'ready' });
    const pending = connection.api.never();
    const crash = errorEvent('Uncaught Error: boom');
    worker.dispatchEvent(crash);
    expect(crash.defaultPrevented).toBe(true);
    await expect(pending).rejects.toThrow('The test worker crashed: Uncaught Error: boom');
    await expect(connection.api.echo('again')).rejects.toThrow('The test worker crashed: Uncaught Error: boom');
    await expect(connection.failed).resolves.toBe('The test worker crashed: Uncaught Error: boom');
    worker.dispatchEvent(errorEvent('a second error'));
    await expect(connection.api.echo('x')).rejects.toThrow('Uncaught Error: boom');
  });

  it('tells a worker that never started apart from one that crashed', async () => {
    const { worker, connection } = start();
    const pending = connection.api.never();
    worker.dispatchEvent(errorEvent());
    await expect(pending).rejects.toThrow('The test worker could not start: its script failed to load');
    await expect(connection.failed).resolves.toBe('The test worker could not start: its script failed to load');
  });

  it('fails every call once the worker reports it cannot go on (a lost GPU device)', async () => {
    const { worker, connection } = start();
    worker.lifecycle({ kind: 'ready' });
    const pending = connection.api.never();
    worker.lifecycle({ kind: 'fatal', reason: 'The GPU device was lost (destroyed).' });
    await expect(pending).rejects.toThrow('The GPU device was lost (destroyed).');
    await expect(connection.failed).resolves.toBe('The GPU device was lost (destroyed).');
  });

  it('rejects what is pending when terminated, without calling that a failure', async () => {
    const { worker, connection } = start();
    worker.lifecycle({ kind: 'ready' });
    const pending = connection.api.never();
    connection.terminate();
    expect(worker.terminated).toBe(true);
    await expect(pending).rejects.toThrow('The test worker was stopped.');
    await expect(connection.api.echo('late')).rejects.toThrow('The test worker was stopped.');
    const settled = await Promise.race([connection.failed.then(() => 'failed'), new Promise((resolve) => setTimeout(() => resolve('still open'), 20))]);
    expect(settled).toBe('still open');
  });
});
