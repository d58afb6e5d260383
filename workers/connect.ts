import * as Comlink from 'comlink';
import { LIFECYCLE_KEY, type LifecycleMessage } from './expose';

/** A worker API as seen from the page: every method returns a promise. */
export type WorkerApi<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

/** A started worker behind Comlink. */
export interface WorkerConnection<T> {
  /** Once the worker has failed or been terminated, every call (pending ones too) rejects with the reason. */
  readonly api: WorkerApi<T>;
  /** Resolves with the reason when the worker fails to load, crashes, or reports that it cannot work on; never rejects. */
  readonly failed: Promise<string>;
  /** Ends the worker; calls still pending reject. */
  terminate(): void;
}

/**
 * Wraps a Worker so that it cannot leave the page waiting: a script that does not load, an
 * uncaught error, an unreadable message or a fatal report from the worker (`reportFatal`) rejects
 * every pending and later call with a message that names the worker. A connection lives until
 * `terminate()`, so a worker may outlive the job that started it.
 */
export function connectWorker<T>(worker: Worker, label: string): WorkerConnection<T> {
  const remote = Comlink.wrap<T>(worker) as unknown as Record<PropertyKey, (...args: unknown[]) => Promise<unknown>>;
  let started = false;
  let endedWith: string | undefined;
  let reportFailure!: (reason: string) => void;
  const failed = new Promise<string>((resolve) => (reportFailure = resolve));
  let rejectPending!: (error: Error) => void;
  const ended = new Promise<never>((_, reject) => (rejectPending = reject));
  ended.catch(() => {});

  const end = (reason: string, isFailure: boolean) => {
    if (endedWith !== undefined) return;
    endedWith = reason;
    rejectPending(new Error(reason));
    if (isFailure) reportFailure(reason);
  };

  worker.addEventListener('message', (event: MessageEvent) => {
    const message = event.data as LifecycleMessage | undefined;
    if (!message || typeof message !== 'object' || !(LIFECYCLE_KEY in message)) return;
    if (message[LIFECYCLE_KEY] === 'ready') started = true;
    else end(message.reason, true);
  });
  worker.addEventListener('error', (event) => {
    // Handled here, so the browser does not also report it as an uncaught error of the page.
    event.preventDefault();
    // An uncaught exception arrives as an ErrorEvent with a message; a script that failed to load as a bare Event.
    const detail = (event as ErrorEvent).message || undefined;
    end(
      started
        ? `The ${label} worker crashed: ${detail ?? 'it stopped with an error'}`
        : `The ${label} worker could not start: ${detail ?? 'its script failed to load'}`,
      true,
    );
  });
  worker.addEventListener('messageerror', () => end(`The ${label} worker sent a message that could not be read.`, true));

  const api = new Proxy({} as WorkerApi<T>, {
    get(_, method) {
      // Not a thenable: awaiting the API object itself must not call into the worker.
      if (method === 'then') return undefined;
      return (...args: unknown[]) => (endedWith !== undefined ? Promise.reject(new Error(endedWith)) : Promise.race([remote[method](...args), ended]));
    },
  });

  return {
    api,
    failed,
    terminate() {
      end(`The ${label} worker was stopped.`, false);
      remote[Comlink.releaseProxy]();
      worker.terminate();
    },
  };
}
