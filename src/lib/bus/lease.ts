import type { KV } from '@nats-io/kv';

/** Someone else coordinates the job: `holder` as their lease says. */
export class LeaseHeldError extends Error {
  constructor(readonly holder: string) {
    super(`This job is coordinated by ${holder}; it can be taken over once that lease lapses.`);
    this.name = 'LeaseHeldError';
  }
}

/**
 * Who coordinates a job: a key in a bucket whose entries expire (`tabtune-live`), created only if
 * absent and refreshed well within the expiry. When the holder's tab closes or its machine dies
 * the key lapses and the next `take` succeeds. Losing the key (someone else took it after a long
 * pause) is reported, never ignored: two coordinators would run trials twice.
 */
export class Lease {
  private timer?: ReturnType<typeof setInterval>;
  private released = false;

  private constructor(
    private readonly kv: KV,
    private readonly key: string,
    private readonly value: string,
    private revision: number,
    refreshMs: number,
    private readonly onLost: (why: string) => void,
  ) {
    this.timer = setInterval(() => void this.refresh(), refreshMs);
  }

  static async take(kv: KV, key: string, owner: string, ttlMs: number, onLost: (why: string) => void): Promise<Lease> {
    const value = JSON.stringify({ owner, since: Date.now() });
    try {
      const revision = await kv.create(key, value);
      return new Lease(kv, key, value, revision, Math.max(50, Math.floor(ttlMs / 3)), onLost);
    } catch {
      const entry = await kv.get(key).catch(() => null);
      let holder = 'another coordinator';
      try {
        holder = (JSON.parse(entry?.string() ?? '{}') as { owner?: string }).owner ?? holder;
      } catch {
        // A key someone else wrote: the default name will do.
      }
      throw new LeaseHeldError(holder);
    }
  }

  private async refresh(): Promise<void> {
    if (this.released) return;
    try {
      this.revision = await this.kv.update(this.key, this.value, this.revision);
    } catch (error) {
      if (this.released) return;
      this.stopRefreshing();
      this.onLost(`The coordinator's lease could not be renewed (${(error as Error).message}); another tab may have taken the job over.`);
    }
  }

  private stopRefreshing(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.stopRefreshing();
    await this.kv.delete(this.key, { previousSeq: this.revision }).catch(() => undefined);
  }
}
