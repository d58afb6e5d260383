import { describeAdapter, probeWebGpu, type AdapterSummary } from '../../lib/device/webgpu-probe';
import type { BackendName } from '../../lib/device/backend-info';
import { spawnTrainer } from '../../../workers/spawn';

/** What the page knows about the GPU it will train on. */
export class GpuState {
  checking = $state(true);
  adapter = $state<AdapterSummary | undefined>();
  unavailableReason = $state<string | undefined>();
  /** The backend trials use when WebGPU is unavailable, learned from a worker. */
  fallback = $state<BackendName | undefined>();
  fallbackError = $state<string | undefined>();

  async detect(): Promise<void> {
    const probe = await probeWebGpu();
    if ('adapter' in probe) {
      this.adapter = describeAdapter(probe.adapter);
      this.checking = false;
      return;
    }
    this.unavailableReason = probe.reason;
    // Ask a worker which backend it falls back to, since that is where trials will run.
    const worker = spawnTrainer();
    try {
      this.fallback = (await worker.api.init()).backend;
    } catch (error) {
      this.fallbackError = (error as Error).message;
    } finally {
      worker.terminate();
      this.checking = false;
    }
  }
}
