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
  /** Set by a stop request, or by the worker leaving (which then hands the trial back: `serveJob`). */
  stop: boolean;
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

  stop(trialId: string, _mode: StopMode): void {
    if (this.current?.trialId !== trialId) return;
    this.current.stop = true;
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
