import type { LocalTrainer } from '../../../src/lib/bus/worker';
import type { StopMode, TrialHooks, TrialRunResult, TrialSpec } from '../../../src/lib/job';

/**
 * A worker's local trainer without tfjs: each trial prints an epoch line whose accuracy comes
 * from its lr, then completes; or it holds (`hold`) until the test releases or stops it.
 */
export class FakeTrainer implements LocalTrainer {
  readonly runs: TrialSpec[] = [];
  readonly stops: [string, StopMode][] = [];
  private readonly held = new Map<string, (result: TrialRunResult) => void>();

  constructor(
    private readonly options: { missing?: string; hold?: boolean; fail?: TrialRunResult; delayMs?: number } = {},
  ) {}

  async describe() {
    return { backend: 'fake', adapter: 'Test adapter' };
  }

  async missingData() {
    return this.options.missing ?? null;
  }

  run(spec: TrialSpec, hooks: TrialHooks): Promise<TrialRunResult> {
    this.runs.push(spec);
    return new Promise((resolve) => {
      const accuracy = Math.min(0.99, Number(spec.hyperparameters.lr ?? 0.1));
      hooks.onLog(`Epoch 1, Train loss=1.0000, Validation accuracy=${accuracy.toFixed(4)}, Images/s=123.0`);
      hooks.onProgress({ epoch: 1, step: 4, totalSteps: 8, stepsPerEpoch: 8 });
      if (this.options.hold) {
        this.held.set(spec.trialId, resolve);
        return;
      }
      setTimeout(() => resolve(this.options.fail ?? { status: 'completed' }), this.options.delayMs ?? 20);
    });
  }

  stop(trialId: string, mode: StopMode): void {
    this.stops.push([trialId, mode]);
    this.release(trialId, { status: 'stopped' });
  }

  /** Ends a held trial. */
  release(trialId: string, result: TrialRunResult = { status: 'completed' }): void {
    this.held.get(trialId)?.(result);
    this.held.delete(trialId);
  }

  get holding(): string[] {
    return [...this.held.keys()];
  }
}

export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
