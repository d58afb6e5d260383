import type { KV, KvEntry } from '@nats-io/kv';
import { describe, expect, it } from 'vitest';
import { jobNames } from '../../../src/lib/bus/names';
import { listWorkers } from '../../../src/lib/bus/workers-list';

/** The bucket as nats.js's keys() hands it over when a worker rewrites its record during the listing: that key twice. */
function bucketListing(keys: string[], records: Record<string, object>): KV {
  return {
    keys: async () =>
      (async function* () {
        yield* keys;
      })(),
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
});
