import type { KV, KvEntry } from '@nats-io/kv';
import { describe, expect, it } from 'vitest';
import { jobNames } from '../../../src/lib/bus/names';
import { listWorkers } from '../../../src/lib/bus/workers-list';

/** The bucket as nats.js's keys() hands it over when a worker rewrites its record during the listing: that key twice. */
const listingsStopped: boolean[] = [];

function bucketListing(keys: string[], records: Record<string, object>, endless = false): KV {
  return {
    keys: async () => {
      let stopped = false;
      const listing = (async function* () {
        yield* keys;
        // nats.js following a bucket whose keys keep being rewritten: nothing more, and no end until stopped.
        while (endless && !stopped) await new Promise((resolve) => setTimeout(resolve, 10));
      })();
      const index = listingsStopped.push(false) - 1;
      return Object.assign(listing, { stop: () => (stopped = listingsStopped[index] = true) });
    },
    get: async (key: string) => ({ operation: 'PUT', value: new TextEncoder().encode(JSON.stringify(records[key])) }) as unknown as KvEntry,
  } as unknown as KV;
}

describe('listWorkers', () => {
  it('lists a worker once when the listing hands its key over twice', async () => {
    const names = jobNames('job1');
    const record = (name: string) => ({ v: 1, name, backend: 'webgpu', adapter: 'unknown', trialsDone: 0, state: 'idle', updatedAt: 1 });
    const [a, b] = [names.workerKey('tab-b'), names.workerKey('tab-a')];
    const live = bucketListing([a, b, a], { [a]: record('tab-b'), [b]: record('tab-a') });
    const workers = await listWorkers({ live, names });
    expect(workers.map((w) => w.name)).toEqual(['tab-a', 'tab-b']);
  });

  it('returns what it listed when the listing does not end within its time limit, and stops it', async () => {
    const names = jobNames('job1');
    const key = names.workerKey('tab-a');
    const live = bucketListing([key], { [key]: { v: 1, name: 'tab-a', backend: 'webgpu', adapter: 'unknown', trialsDone: 0, state: 'idle', updatedAt: 1 } }, true);
    const started = Date.now();
    const workers = await listWorkers({ live, names }, 200);
    expect(workers.map((w) => w.name)).toEqual(['tab-a']);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(listingsStopped.at(-1)).toBe(true);
  });
});
