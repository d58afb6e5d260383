import { readJson, type WorkerRecord } from './messages';
import type { JobPlace } from './setup';

/**
 * nats.js's keys() can keep following a bucket whose keys are rewritten while it lists (seen in
 * about 1 listing of 250 with a record rewritten every 200 ms); the panel lists again every 2 s, so
 * a listing that ran longer than this only left a consumer open on the server.
 */
export const WORKER_LISTING_LIMIT_MS = 3000;

/** The workers serving a job now: their records in the expiring bucket, oldest name first, each once. */
export async function listWorkers(place: Pick<JobPlace, 'live' | 'names'>, limitMs = WORKER_LISTING_LIMIT_MS): Promise<WorkerRecord[]> {
  const records: WorkerRecord[] = [];
  // A key written while the listing runs comes again after its last value (nats.js's keys() follows
  // the bucket until nothing is pending), and a worker rewrites its record every few seconds.
  const seen = new Set<string>();
  const keys = await place.live.keys(place.names.workerKeys);
  const iterator = keys[Symbol.asyncIterator]();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<'timed out'>((resolve) => (timer = setTimeout(() => resolve('timed out'), limitMs)));
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), timedOut]);
      if (next === 'timed out' || next.done) break;
      const key = next.value;
      if (seen.has(key)) continue;
      seen.add(key);
      const entry = await place.live.get(key);
      if (!entry || entry.operation !== 'PUT') continue;
      const read = readJson(entry.value);
      if (!('error' in read) && read.value.v === 1) records.push(read.value as unknown as WorkerRecord);
    }
  } finally {
    clearTimeout(timer);
    // Ends the listing's consumer on the server when it was cut short.
    keys.stop();
  }
  return records.sort((a, b) => a.name.localeCompare(b.name));
}
