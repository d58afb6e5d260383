import type { NatsConnection } from '@nats-io/nats-core';
import type { WorkerRecord } from '../../lib/bus/messages';
import { serveJob } from '../../lib/bus/worker';
import { BrowserTrainer } from './browser-trainer';
import { connectNats } from './nats.svelte';

export type JoinStatus = 'ready' | 'connecting' | 'serving' | 'left' | 'failed';

/** This tab as a worker for one job on a NATS server (opened from a join link). */
export class JoinSession {
  status = $state<JoinStatus>('ready');
  message = $state<string | undefined>();
  record = $state<WorkerRecord | undefined>();
  /** What the worker did, newest last (the last 30 lines). */
  lines = $state<string[]>([]);
  name = $state(`tab-${Math.random().toString(36).slice(2, 6)}`);
  /** The job has ended or is gone: Join would connect only to leave again. */
  jobOver = $state(false);

  private abort?: AbortController;
  private nc?: NatsConnection;

  constructor(
    readonly server: string,
    readonly job: string,
  ) {}

  async join(): Promise<void> {
    if (this.status === 'connecting' || this.status === 'serving') return;
    this.status = 'connecting';
    this.message = undefined;
    const trainer = new BrowserTrainer();
    this.abort = new AbortController();
    try {
      this.nc = await connectNats(this.server);
      this.status = 'serving';
      const summary = await serveJob({
        nc: this.nc,
        job: this.job,
        name: this.name.trim() || 'tab',
        trainer,
        signal: this.abort.signal,
        log: (line) => {
          // Also in the console, with its time there, for whoever looks into a worker that stalls.
          console.info(`[worker] ${line}`);
          this.lines = [...this.lines.slice(-29), line];
        },
        onRecord: (record) => (this.record = record),
      });
      this.status = 'left';
      this.jobOver = summary.jobOver;
      this.message = `Left the job: ${summary.reason}; ${summary.trialsDone} trial${summary.trialsDone === 1 ? '' : 's'} done here.`;
    } catch (error) {
      this.status = 'failed';
      this.message = (error as Error).message;
    } finally {
      trainer.dispose();
      await this.nc?.close().catch(() => undefined);
      this.nc = undefined;
    }
  }

  /** Stops pulling trials; a trial in progress here stops softly and is reported as stopped. */
  leave(): void {
    this.abort?.abort();
  }
}
