/**
 * Where a job lives on a NATS server: its streams, subjects, consumer and keys. One place, so the
 * coordinator, the workers and docs/ARCHITECTURE.md ("Beyond one machine") agree.
 */

/** Job ids go into subjects, stream names and KV keys, which allow only these characters. */
const SAFE_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function jobIdError(id: string): string | null {
  return SAFE_ID.test(id) ? null : `A job id on a NATS server is 1–64 letters, digits, "-" or "_"; got "${id}".`;
}

/** A worker's name as a key part: what NATS keys cannot hold becomes "_". */
export function workerKey(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64) || 'worker';
}

export interface JobNames {
  /** Work-queue stream of trial specs: each taken by one worker, removed when acked. */
  trialStream: string;
  trialSubject: string;
  /** The durable pull consumer every worker of the job shares. */
  consumer: string;
  /** Everything that happens to the job's trials, kept: the coordinator rebuilds from it. */
  eventStream: string;
  eventSubjects: string;
  eventSubject(trialNumber: number): string;
  /** In `JOBS_BUCKET`: the job record (definition, data set, whether it still runs). */
  jobKey: string;
  /** In `JOBS_BUCKET`: a stop request for one trial ("soft" or "hard"). */
  stopKey(trialNumber: number): string;
  stopKeys: string;
  /** In `LIVE_BUCKET`: who coordinates the job. */
  leaseKey: string;
  /** In `LIVE_BUCKET`: one record per worker serving the job. */
  workerKey(name: string): string;
  workerKeys: string;
  /** JetStream's advisory when a trial spec has been delivered max_deliver times without an ack. */
  maxDeliveriesAdvisory: string;
}

export function jobNames(job: string): JobNames {
  const error = jobIdError(job);
  if (error) throw new Error(error);
  const trialStream = `tabtune-${job}-trials`;
  const consumer = 'workers';
  return {
    trialStream,
    trialSubject: `tabtune.${job}.trial`,
    consumer,
    eventStream: `tabtune-${job}-events`,
    eventSubjects: `tabtune.${job}.event.>`,
    eventSubject: (n) => `tabtune.${job}.event.${n}`,
    jobKey: `job.${job}`,
    stopKey: (n) => `stop.${job}.${n}`,
    stopKeys: `stop.${job}.>`,
    leaseKey: `coordinator.${job}`,
    workerKey: (name) => `worker.${job}.${workerKey(name)}`,
    workerKeys: `worker.${job}.>`,
    maxDeliveriesAdvisory: `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${trialStream}.${consumer}`,
  };
}

/** Job records, stop requests: kept until deleted. */
export const JOBS_BUCKET = 'tabtune-jobs';
/** Leases and worker records: each expires unless its holder refreshes it. */
export const LIVE_BUCKET = 'tabtune-live';
/** How long a lease or a worker record outlives its last refresh; holders refresh every third of it. */
export const LIVE_TTL_MS = 15_000;

/** Every message of a trial carries `<job>-<trial>-<attempt>-<seq>`, so a retried publish is stored once. */
export function messageId(job: string, trialNumber: number, attempt: number, seq: number): string {
  return `${job}-${trialNumber}-${attempt}-${seq}`;
}
