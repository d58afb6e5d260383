import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { JOBS_BUCKET, jobNames, LIVE_BUCKET, LIVE_TTL_MS, type JobNames } from './names';

/** One job's handles on a server: names, JetStream, and the two buckets. */
export interface JobPlace {
  job: string;
  names: JobNames;
  js: JetStreamClient;
  jsm: JetStreamManager;
  jobs: KV;
  live: KV;
}

const NS_PER_MS = 1_000_000;
/** The events of a job are its history (a new coordinator rebuilds from them): kept a month. */
const EVENTS_MAX_AGE_MS = 30 * 24 * 3600 * 1000;

export interface StreamSettings {
  /** How long a worker holds a trial without a heartbeat before NATS redelivers it. */
  ackWaitMs: number;
  /** Deliveries of one trial spec in all: the job's retries + 1. */
  maxDeliver: number;
  liveTtlMs?: number;
}

/**
 * Creates what a job needs on the server, or finds it: the work-queue stream of trial specs with
 * its durable pull consumer (explicit acks, the ack-wait lease, max_deliver), the events stream,
 * and the buckets. Only a coordinator calls this; workers bind to what exists (`bindJob`).
 */
export async function prepareJob(nc: NatsConnection, job: string, settings: StreamSettings): Promise<JobPlace> {
  const names = jobNames(job);
  const jsm = await jetstreamManager(nc);
  await ensureStream(jsm, { name: names.trialStream, subjects: [names.trialSubject], retention: RetentionPolicy.Workqueue });
  await ensureStream(jsm, { name: names.eventStream, subjects: [names.eventSubjects], retention: RetentionPolicy.Limits, max_age: EVENTS_MAX_AGE_MS * NS_PER_MS });
  const consumer = {
    durable_name: names.consumer,
    ack_policy: AckPolicy.Explicit,
    ack_wait: settings.ackWaitMs * NS_PER_MS,
    max_deliver: settings.maxDeliver,
    // No cap here: each worker pulls one trial at a time, so the workers present bound it.
    max_ack_pending: -1,
  };
  try {
    await jsm.consumers.add(names.trialStream, consumer);
  } catch {
    // It exists from an earlier coordinator of this job: take on this one's lease settings.
    await jsm.consumers.update(names.trialStream, names.consumer, { ack_wait: consumer.ack_wait, max_deliver: consumer.max_deliver });
  }
  const kvm = new Kvm(nc);
  const jobs = await kvm.create(JOBS_BUCKET, { history: 1 });
  const live = await openOrCreate(kvm, LIVE_BUCKET, settings.liveTtlMs ?? LIVE_TTL_MS);
  return { job, names, js: jetstream(nc), jsm, jobs, live };
}

/** What a worker needs of a job that a coordinator prepared; fails with a plain reason when it is not there. */
export async function bindJob(nc: NatsConnection, job: string): Promise<JobPlace> {
  const names = jobNames(job);
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.info(names.trialStream);
  } catch {
    throw new Error(`There is no job ${job} on this NATS server (no stream ${names.trialStream}).`);
  }
  const kvm = new Kvm(nc);
  return { job, names, js: jetstream(nc), jsm, jobs: await kvm.open(JOBS_BUCKET), live: await kvm.open(LIVE_BUCKET) };
}

async function ensureStream(jsm: JetStreamManager, config: { name: string; subjects: string[]; retention: RetentionPolicy; max_age?: number }): Promise<void> {
  try {
    await jsm.streams.info(config.name);
  } catch {
    await jsm.streams.add(config);
  }
}

async function openOrCreate(kvm: Kvm, bucket: string, ttlMs: number): Promise<KV> {
  try {
    return await kvm.create(bucket, { history: 1, ttl: ttlMs });
  } catch {
    // The bucket exists with another expiry (set by an earlier coordinator): use it as it is.
    return kvm.open(bucket);
  }
}
