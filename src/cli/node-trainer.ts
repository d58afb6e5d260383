/**
 * The `LocalTrainer` of a Node worker (`npm run worker`): the page's engine in this process, on
 * Dawn's WebGPU or the CPU backend, one trial at a time. What the page's trainer worker does per
 * trial, without a Web Worker around it: there is no process to kill, so a hard stop, like a soft
 * one, ends the trial at the loop's next step.
 */
import type { DatasetRef } from '../lib/bus/messages';
import type { LocalTrainer } from '../lib/bus/worker';
import type { ImageDataset } from '../lib/data/image-set';
import { splitDataset, syntheticSplits, type DataSplits } from '../lib/data/splits';
import type { StopMode, TrialHooks, TrialRunResult, TrialSpec } from '../lib/job/types';
import { readTrainConfig, type TrainConfig } from '../lib/recipe/hyperparameters';
import { useKernels } from '../lib/train/kernels/registry';
import { train } from '../lib/train/loop';
import { retainResidentData } from '../lib/train/resident-data';
import type { NodeBackend } from './start-backend';

/** CIFAR-10 read from `--data DIR` once at start, with its content hash (`imageSetsDigest([train, test])`). */
export interface LocalCifar {
  dir: string;
  dataset: ImageDataset;
  sha256: string;
}

interface RunningTrial {
  trialId: string;
  stop: boolean;
  /** Why the worker left while it ran (Ctrl+C). */
  leaving?: string;
  stoppedByCoordinator?: boolean;
}

export class NodeTrainer implements LocalTrainer {
  private current?: RunningTrial;
  private readonly synthetic = new Map<string, DataSplits>();

  constructor(
    private readonly backend: NodeBackend,
    private readonly cifar?: LocalCifar,
  ) {}

  async describe(): Promise<{ backend: string; adapter: string }> {
    return { backend: this.backend.info.backend, adapter: this.backend.adapter || 'none' };
  }

  async missingData(ref: DatasetRef): Promise<string | null> {
    if (ref.name === 'synthetic') return null;
    if (!this.cifar) return 'no CIFAR-10 on this worker: start it with --data DIR';
    if (this.cifar.sha256 !== ref.sha256) return `the job's CIFAR-10 has SHA-256 ${ref.sha256}; ${this.cifar.dir} holds ${this.cifar.sha256}`;
    return null;
  }

  /**
   * The worker is leaving (Ctrl+C): the trial running now ends at the loop's next step and is
   * handed back (a retryable failure, which the worker answers with a nak), because the trial
   * itself did nothing wrong and another worker can run it in full with the same seed.
   */
  leave(reason: string): void {
    if (this.current) {
      this.current.stop = true;
      this.current.leaving ??= reason;
    }
  }

  stop(trialId: string, _mode: StopMode): void {
    if (this.current?.trialId !== trialId) return;
    this.current.stop = true;
    this.current.stoppedByCoordinator = true;
  }

  async run(spec: TrialSpec, hooks: TrialHooks): Promise<TrialRunResult> {
    const trial: RunningTrial = { trialId: spec.trialId, stop: false };
    this.current = trial;
    hooks.onStart({ backend: this.backend.info.backend, workerId: 0 });
    try {
      const config = readTrainConfig(spec.hyperparameters);
      useKernels(config.kernels);
      const data = this.splitsFor(config);
      // The training set stays on the GPU for the next trials on the same data; other data frees it.
      retainResidentData(data.train);
      const outcome = await train(config, data, spec.seed, {
        log: hooks.onLog,
        onProgress: hooks.onProgress,
        shouldStop: () => trial.stop,
      });
      // The coordinator's stop outranks a leave: that trial ends as stopped, not handed back.
      if (outcome.status === 'stopped' && trial.leaving && !trial.stoppedByCoordinator) return { status: 'failed', reason: trial.leaving, retryable: true };
      return { status: outcome.status };
    } catch (error) {
      return { status: 'failed', reason: (error as Error).message };
    } finally {
      if (this.current === trial) this.current = undefined;
    }
  }

  private splitsFor(config: TrainConfig): DataSplits {
    if (config.data === 'cifar10') {
      // Checked by missingData before a trial gets here; this guards a spec that slipped past it.
      if (!this.cifar) throw new Error('No CIFAR-10 on this worker: start it with --data DIR.');
      return splitDataset(this.cifar.dataset, { valSize: config.valSize, limit: config.limit });
    }
    const sizes = { train: config.trainSize, val: config.valSize, test: config.testSize };
    const key = `${sizes.train}:${sizes.val}:${sizes.test}`;
    if (!this.synthetic.has(key)) this.synthetic.set(key, syntheticSplits(sizes));
    return this.synthetic.get(key)!;
  }
}
