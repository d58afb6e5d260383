/// <reference lib="webworker" />
import * as Comlink from 'comlink';

/** The key of the few messages a worker sends outside Comlink; Comlink ignores messages without an id. */
export const LIFECYCLE_KEY = 'tabtuneWorker';

export type LifecycleMessage = { [LIFECYCLE_KEY]: 'ready' } | { [LIFECYCLE_KEY]: 'fatal'; reason: string };

function send(message: LifecycleMessage): void {
  self.postMessage(message);
}

/**
 * Exposes a worker's API and tells the page that the script loaded: an `error` before this
 * message means the worker never started, one after it means it crashed.
 */
export function exposeToPage(api: object): void {
  Comlink.expose(api);
  send({ [LIFECYCLE_KEY]: 'ready' });
}

/** Tells the page that this worker can no longer work (its GPU device is gone): every call on it then fails. */
export function reportFatal(reason: string): void {
  send({ [LIFECYCLE_KEY]: 'fatal', reason });
}
