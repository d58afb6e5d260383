import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { readJson, type JobRecord } from './messages';
import { JOBS_BUCKET } from './names';

/**
 * The jobs on a server whose coordinator has them `running`, newest first: what a worker started
 * without a job id joins. None (an empty list) when no coordinator has made the jobs bucket yet.
 */
export async function runningJobs(nc: NatsConnection): Promise<JobRecord[]> {
  let bucket;
  try {
    bucket = await new Kvm(nc).open(JOBS_BUCKET);
    // open() makes no request of its own: status() fails when the bucket is not there.
    await bucket.status();
  } catch {
    return [];
  }
  const found: JobRecord[] = [];
  for await (const key of await bucket.keys('job.*')) {
    const entry = await bucket.get(key);
    if (!entry || entry.operation !== 'PUT') continue;
    const read = readJson(entry.value);
    if ('error' in read) continue;
    const record = read.value as unknown as JobRecord;
    if (record.v === 1 && record.status === 'running' && typeof record.job === 'string') found.push(record);
  }
  return found.sort((a, b) => (b.updatedAt ?? 0) - (a.updatedAt ?? 0));
}
