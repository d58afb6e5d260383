import type { JobDefinition } from '../config';
import { hasJobEnded, isFinishedTrial, type JobEvent, type JobStatus, type Trial } from '../job';
import { capLog } from './logs';

/**
 * Every job and its trials, kept in the browser (IndexedDB) as they happen, so that a reload or a
 * crashed tab loses nothing finished and the job can be resumed. A database of its own, apart from
 * the data-set cache (`tabtune`). See docs/ARCHITECTURE.md, "Store".
 */
export const JOBS_DB = 'tabtune-jobs';
const DB_VERSION = 1;
const JOBS = 'jobs';
const TRIALS = 'trials';
/** A running trial is written at most this often (its log lines and epochs), and at once at each status change. */
export const WRITE_INTERVAL_MS = 1000;

export const STORAGE_FULL_MESSAGE = 'Storage is full: this job is no longer being saved; it goes on in memory. Export it to keep it.';

export interface StoredJob {
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
  definition: JobDefinition;
  status: JobStatus;
  message?: string;
  /** The job's running time so far (`JobRunner.runtimeMs`), for the time budget across resumes. */
  runtimeMs: number;
  /** The best completed trial's objective, in the job's goal direction. */
  bestObjective?: number;
  /** Trials written so far. */
  trialCount: number;
}

/** A trial as stored: its job, no step progress, and a capped log (`logsDropped` lines left out, see logs.ts). */
export interface StoredTrial extends Omit<Trial, 'progress'> {
  jobId: string;
  logsDropped?: number;
}

export interface Timer {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface StoreOptions {
  now?: () => number;
  /** Schedules the throttled writes; tests pass a fake clock. */
  timer?: Timer;
  writeIntervalMs?: number;
}

export interface RecorderHooks {
  /** The running job's time so far, written with the job. */
  runtimeMs?: () => number;
  /** A write failed: the recorder writes nothing more, and the job goes on in memory. Called once. */
  onError?: (message: string) => void;
  /** A finished trial's write has committed: the numbers of finished trials saved so far. */
  onSaved?: (saved: ReadonlySet<number>) => void;
}

/** "tiny-cnn on synthetic, 2025-03-04 14:05": the name a job gets until it is renamed. */
export function defaultJobName(definition: JobDefinition, date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const when = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
  return `${String(definition.fixed.model ?? 'job')} on ${String(definition.fixed.data ?? 'synthetic')}, ${when}`;
}

/** What went wrong with a write, as the page says it. */
export function storageErrorMessage(error: unknown): string {
  const name = (error as { name?: string } | null)?.name;
  if (name === 'QuotaExceededError') return STORAGE_FULL_MESSAGE;
  return `Saving this job failed (${(error as Error | null)?.message || String(error)}): it is no longer being saved; it goes on in memory. Export it to keep it.`;
}

export class JobStore {
  private db?: Promise<IDBDatabase>;
  private readonly now: () => number;
  private readonly timer: Timer;
  private readonly writeIntervalMs: number;

  constructor(
    private readonly factory: IDBFactory | undefined = globalThis.indexedDB,
    options: StoreOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.timer = options.timer ?? { set: (callback, ms) => setTimeout(callback, ms), clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>) };
    this.writeIntervalMs = options.writeIntervalMs ?? WRITE_INTERVAL_MS;
  }

  /** A new job record, written before it runs. */
  async createJob(definition: JobDefinition, options: { id?: string; name?: string } = {}): Promise<StoredJob> {
    const createdAt = this.now();
    const job: StoredJob = {
      id: options.id ?? newId(),
      name: options.name ?? defaultJobName(definition, new Date(createdAt)),
      createdAt,
      updatedAt: createdAt,
      definition,
      status: 'idle',
      runtimeMs: 0,
      trialCount: 0,
    };
    await this.write([{ store: JOBS, value: job }]);
    return job;
  }

  /** Every job kept, the most recently updated first, without their trials. */
  async listJobs(): Promise<StoredJob[]> {
    const jobs = await this.read<StoredJob[]>(JOBS, (store) => store.getAll());
    return jobs.sort((a, b) => b.updatedAt - a.updatedAt);
  }

  async loadJob(id: string): Promise<{ job: StoredJob; trials: StoredTrial[] } | undefined> {
    const job = await this.read<StoredJob | undefined>(JOBS, (store) => store.get(id));
    if (!job) return undefined;
    const trials = await this.read<StoredTrial[]>(TRIALS, (store) => store.index('jobId').getAll(id));
    return { job, trials: trials.sort((a, b) => a.number - b.number) };
  }

  async renameJob(id: string, name: string): Promise<void> {
    const job = await this.read<StoredJob | undefined>(JOBS, (store) => store.get(id));
    if (job) await this.write([{ store: JOBS, value: { ...job, name } }]);
  }

  async deleteJob(id: string): Promise<void> {
    const db = await this.open();
    await transact(db, [JOBS, TRIALS], 'readwrite', (tx) => {
      tx.objectStore(JOBS).delete(id);
      tx.objectStore(TRIALS).index('jobId').openKeyCursor(id).onsuccess = function () {
        const cursor = this.result;
        if (!cursor) return;
        tx.objectStore(TRIALS).delete(cursor.primaryKey);
        cursor.continue();
      };
    });
  }

  /**
   * Before a job resumes: its trials that had not finished (running or pending when the page went
   * away) are deleted, as the runner runs them again as new trials.
   */
  async dropUnfinished(jobId: string): Promise<void> {
    const loaded = await this.loadJob(jobId);
    if (!loaded) return;
    const db = await this.open();
    await transact(db, [TRIALS], 'readwrite', (tx) => {
      for (const trial of loaded.trials) if (!isFinishedTrial(trial.status)) tx.objectStore(TRIALS).delete([jobId, trial.number]);
    });
  }

  /** Follows one job: feed it the runner's events, and pass `commit` as the runner's `beforeTell`. */
  recorder(job: StoredJob, hooks: RecorderHooks = {}, earlier: readonly Trial[] = []): JobRecorder {
    return new JobRecorder(this, job, hooks, earlier, this.now, this.timer, this.writeIntervalMs);
  }

  /** Closes the connection (a store dropped without it, as in a crashed tab, leaves nothing half written). */
  async close(): Promise<void> {
    const db = this.db;
    this.db = undefined;
    if (db) (await db).close();
  }

  /** One transaction: every record is put, or none. */
  async write(records: { store: string; value: unknown }[]): Promise<void> {
    const db = await this.open();
    const stores = [...new Set(records.map((r) => r.store))];
    await transact(db, stores, 'readwrite', (tx) => {
      for (const record of records) tx.objectStore(record.store).put(record.value);
    });
  }

  private async read<T>(store: string, action: (store: IDBObjectStore) => IDBRequest): Promise<T> {
    const db = await this.open();
    let result: T;
    await transact(db, [store], 'readonly', (tx) => {
      const request = action(tx.objectStore(store));
      request.onsuccess = () => (result = request.result as T);
    });
    return result!;
  }

  private open(): Promise<IDBDatabase> {
    this.db ??= new Promise<IDBDatabase>((resolve, reject) => {
      if (!this.factory) throw new Error('This browser has no IndexedDB, so jobs cannot be kept.');
      const request = this.factory.open(JOBS_DB, DB_VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore(JOBS, { keyPath: 'id' });
        db.createObjectStore(TRIALS, { keyPath: ['jobId', 'number'] }).createIndex('jobId', 'jobId');
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new Error('The job store is blocked by another open tab of TabTune; close it and reload.'));
    });
    // A failed open is not kept: the next call tries again.
    this.db.catch(() => (this.db = undefined));
    return this.db;
  }
}

function transact(db: IDBDatabase, stores: string[], mode: IDBTransactionMode, action: (tx: IDBTransaction) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let tx: IDBTransaction | undefined;
    try {
      tx = db.transaction(stores, mode);
      action(tx);
    } catch (error) {
      // Nothing of a transaction that threw is kept.
      try {
        tx?.abort();
      } catch {
        // Already finished or aborted.
      }
      reject(error);
      return;
    }
    const done = tx;
    done.oncomplete = () => resolve();
    done.onerror = () => reject(done.error);
    done.onabort = () => reject(done.error ?? new Error('The storage transaction was aborted.'));
  });
}

function newId(): string {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/**
 * Writes one job as it runs. A trial is written at each status change and otherwise at most once
 * every `writeIntervalMs` (its log lines in between are written together), always its latest
 * state with the log capped (logs.ts); `commit` writes a finished trial at once and resolves when
 * it is on disk, before the tuner is told. Writes go one at a time, in order. After a write fails
 * (storage full, or anything else) nothing more is written, `onError` says so once, and the job
 * goes on in memory.
 */
export class JobRecorder {
  /** Finished trials whose write has committed, by number. */
  readonly saved = new Set<number>();
  error?: string;
  /** Transactions started: the throttling test counts them. */
  writes = 0;

  private readonly job: StoredJob;
  private readonly dirty = new Map<number, Trial>();
  private readonly lastKey = new Map<number, string>();
  private readonly outcomes = new Map<number, { status: Trial['status']; objective?: number }>();
  private jobDirty = false;
  private pending?: unknown;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: JobStore,
    job: StoredJob,
    private readonly hooks: RecorderHooks,
    earlier: readonly Trial[],
    private readonly now: () => number,
    private readonly timer: Timer,
    private readonly intervalMs: number,
  ) {
    this.job = { ...job };
    for (const trial of earlier) {
      this.outcomes.set(trial.number, { status: trial.status, objective: trial.objective });
      if (isFinishedTrial(trial.status)) this.saved.add(trial.number);
    }
  }

  get jobId(): string {
    return this.job.id;
  }

  /** The runner's events: trials and the job's status. Progress is not stored. */
  onEvent(event: JobEvent): void {
    if (event.type === 'progress') return;
    if (event.type === 'job') {
      this.job.status = event.status;
      if (event.message !== undefined) this.job.message = event.message;
      this.jobDirty = true;
      void this.flush();
      return;
    }
    const trial = event.trial;
    const previous = this.outcomes.get(trial.number);
    this.outcomes.set(trial.number, { status: trial.status, objective: trial.objective });
    this.dirty.set(trial.number, trial);
    if (previous?.status !== trial.status) void this.flush();
    else this.schedule();
  }

  /** The runner's `beforeTell`: the finished trial is on disk when this resolves (or the store has failed and said so). */
  commit(trial: Trial): Promise<void> {
    this.outcomes.set(trial.number, { status: trial.status, objective: trial.objective });
    if (this.lastKey.get(trial.number) !== key(trial)) this.dirty.set(trial.number, trial);
    this.jobDirty = true;
    return this.flush();
  }

  /** Writes whatever has changed now; resolves when it (and every write before it) has committed or failed. */
  flush(): Promise<void> {
    if (this.pending !== undefined) {
      this.timer.clear(this.pending);
      this.pending = undefined;
    }
    if (this.error || (this.dirty.size === 0 && !this.jobDirty)) return this.queue;
    const trials = [...this.dirty.values()];
    this.dirty.clear();
    this.jobDirty = false;
    for (const trial of trials) this.lastKey.set(trial.number, key(trial));
    const job = this.jobRecord();
    const records = [
      ...trials.map((trial) => ({ store: TRIALS, value: storedTrial(this.job.id, trial) })),
      { store: JOBS, value: job },
    ];
    this.queue = this.queue.then(async () => {
      if (this.error) return;
      this.writes++;
      try {
        await this.store.write(records);
      } catch (error) {
        this.error = storageErrorMessage(error);
        this.hooks.onError?.(this.error);
        return;
      }
      const before = this.saved.size;
      for (const trial of trials) if (isFinishedTrial(trial.status)) this.saved.add(trial.number);
      if (this.saved.size !== before) this.hooks.onSaved?.(this.saved);
    });
    return this.queue;
  }

  private schedule(): void {
    if (this.pending !== undefined || this.error) return;
    this.pending = this.timer.set(() => {
      this.pending = undefined;
      void this.flush();
    }, this.intervalMs);
  }

  private jobRecord(): StoredJob {
    const maximize = this.job.definition.objective.goal === 'maximize';
    let best: number | undefined;
    for (const { status, objective } of this.outcomes.values()) {
      if (status !== 'completed' || objective === undefined) continue;
      if (best === undefined || (maximize ? objective > best : objective < best)) best = objective;
    }
    const runtimeMs = this.hooks.runtimeMs?.() ?? this.job.runtimeMs;
    const record: StoredJob = { ...this.job, updatedAt: this.now(), runtimeMs, trialCount: Math.max(this.job.trialCount, this.outcomes.size) };
    if (best !== undefined) record.bestObjective = best;
    if (hasJobEnded(record.status)) this.job.runtimeMs = runtimeMs;
    return record;
  }
}

/** What distinguishes two writes of a trial: its status, attempt, log length and end. */
const key = (trial: Trial) => `${trial.status}:${trial.attempt ?? 1}:${trial.logs.length}:${trial.endedAt ?? ''}`;

function storedTrial(jobId: string, trial: Trial): StoredTrial {
  const { progress: _, logs: lines, ...rest } = trial;
  const { logs, dropped } = capLog(lines);
  const stored: StoredTrial = { ...rest, jobId, logs };
  if (dropped > 0) stored.logsDropped = dropped;
  return stored;
}
