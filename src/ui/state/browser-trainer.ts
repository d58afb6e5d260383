import type { DatasetRef } from '../../lib/bus/messages';
import type { LocalTrainer } from '../../lib/bus/worker';
import { DatasetCache } from '../../lib/data/cache';
import { CIFAR10_CACHE_KEY } from '../../lib/data/loader-api';
import { WorkerPool, type WorkerHandle } from '../../lib/job/pool';
import type { StopMode, TrialHooks, TrialSpec } from '../../lib/job';
import { spawnTrainer } from '../../../workers/spawn';

/**
 * This tab as a NATS worker's trainer: one trainer Web Worker through the page's own pool (so a
 * hard stop, a crash or a lost GPU is handled as in a local job), and CIFAR-10 from this browser's
 * cache, named by its content hash.
 */
export class BrowserTrainer implements LocalTrainer {
  private readonly first: WorkerHandle = spawnTrainer();
  private firstTaken = false;
  private readonly pool = new WorkerPool(1, () => {
    if (this.firstTaken) return spawnTrainer();
    this.firstTaken = true;
    return this.first;
  });

  async describe(): Promise<{ backend: string; adapter: string }> {
    const info = await this.first.api.init();
    const adapter = [info.adapter?.vendor, info.adapter?.architecture].filter(Boolean).join(' ');
    return { backend: info.backend, adapter: adapter || 'unknown' };
  }

  async missingData(ref: DatasetRef): Promise<string | null> {
    if (ref.name === 'synthetic') return null;
    const sha256 = await new DatasetCache().digest(CIFAR10_CACHE_KEY).catch(() => undefined);
    if (!sha256) return "no CIFAR-10 in this browser's cache: load it on TabTune's main page in this browser (Data panel), then this tab goes on";
    if (sha256 !== ref.sha256) return `this browser's CIFAR-10 (SHA-256 ${sha256.slice(0, 12)}…) is not the job's (${ref.sha256.slice(0, 12)}…)`;
    return null;
  }

  run(spec: TrialSpec, hooks: TrialHooks) {
    return this.pool.run(spec, hooks);
  }

  stop(trialId: string, mode: StopMode): void {
    this.pool.stop(trialId, mode);
  }

  dispose(): void {
    this.pool.dispose();
    if (!this.firstTaken) this.first.terminate();
  }
}
