import { readJson, type WorkerRecord } from './messages';
import type { JobPlace } from './setup';

/** The workers serving a job now: their records in the expiring bucket, oldest name first, each once. */
export async function listWorkers(place: Pick<JobPlace, 'live' | 'names'>): Promise<WorkerRecord[]> {
  const records: WorkerRecord[] = [];
  // A key written while the listing runs comes again after its last value (nats.js's keys() follows
  // the bucket until nothing is pending), and a worker rewrites its record every few seconds.
  const seen = new Set<string>();
  const keys = await place.live.keys(place.names.workerKeys);
  for await (const key of keys) {
    if (seen.has(key)) continue;
    seen.add(key);
    const entry = await place.live.get(key);
    if (!entry || entry.operation !== 'PUT') continue;
    const read = readJson(entry.value);
    if (!('error' in read) && read.value.v === 1) records.push(read.value as unknown as WorkerRecord);
  }
  return records.sort((a, b) => a.name.localeCompare(b.name));
}
