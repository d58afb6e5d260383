import { wsconnect, type NatsConnection } from '@nats-io/nats-core';
import { OFFICIAL_CIFAR10_SHA256 } from '../../lib/data/digest';
import { DatasetCache } from '../../lib/data/cache';
import { CIFAR10_CACHE_KEY } from '../../lib/data/loader-api';
import type { DatasetRef } from '../../lib/bus/messages';
import type { JobDefinition } from '../../lib/config';

/**
 * The NATS user and password, typed on the page and kept in this tab's memory only: never in the
 * job, a share link, an export or the store.
 */
export const natsCredentials = $state({ user: '', password: '' });

/** A browser connection to the server's WebSocket listener, with the typed credentials if any. */
export async function connectNats(server: string): Promise<NatsConnection> {
  const { user, password } = natsCredentials;
  try {
    return await wsconnect({ servers: server, name: 'TabTune tab', ...(user ? { user, pass: password } : {}), maxReconnectAttempts: 10 });
  } catch (error) {
    const message = (error as Error).message;
    if (/authoriz|authentic/i.test(message)) throw new Error(`The NATS server at ${server} refused the user and password (${message}).`);
    throw new Error(`Could not reach the NATS server at ${server}: ${message}. Is it running with its WebSocket listener (npm run nats)?`);
  }
}

/**
 * The data set a job's trials name: CIFAR-10 by the hash of this browser's copy, or of the
 * official release when this tab holds none (its workers may).
 */
export async function datasetFor(job: JobDefinition): Promise<DatasetRef> {
  if (job.fixed.data !== 'cifar10') return { name: 'synthetic' };
  const sha256 = await new DatasetCache().digest(CIFAR10_CACHE_KEY).catch(() => undefined);
  return { name: 'cifar10', sha256: sha256 ?? OFFICIAL_CIFAR10_SHA256 };
}

/** How other tabs see this one on the job's lease. */
export function tabName(): string {
  const time = new Date().toTimeString().slice(0, 5);
  const platform = (navigator as { userAgentData?: { platform?: string } }).userAgentData?.platform || navigator.platform || 'a browser';
  return `a tab on ${platform}, opened ${time}`;
}
