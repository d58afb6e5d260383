import type { NatsConnection } from '@nats-io/nats-core';
import { Kvm } from '@nats-io/kv';
import { readJson, type JobRecord } from './messages';
import { JOBS_BUCKET, jobNames } from './names';
import type { JobPlace } from './setup';

/** A job's record in the jobs bucket, or undefined when there is none (or it is unreadable). */
export async function readJobRecord(place: Pick<JobPlace, 'jobs' | 'names'>): Promise<JobRecord | undefined> {
  const entry = await place.jobs.get(place.names.jobKey);
  if (!entry || entry.operation !== 'PUT') return undefined;
  const read = readJson(entry.value);
  return 'error' in read ? undefined : (read.value as unknown as JobRecord);
}

/** What a server knows of a job, for a tab that opens it by link: its record, or undefined when the server has no such job. */
export async function findJob(nc: NatsConnection, job: string): Promise<JobRecord | undefined> {
  let jobs;
  try {
    jobs = await new Kvm(nc).open(JOBS_BUCKET);
  } catch {
    return undefined;
  }
  return readJobRecord({ jobs, names: jobNames(job) });
}
