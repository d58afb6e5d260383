import { describe, expect, it } from 'vitest';
import { defaultJob, validateJob, type JobDefinition } from '../../../src/lib/config';
import { HYPERBAND_SUGGESTION_CAP, JobRunner, type Trial } from '../../../src/lib/job';
import { HyperbandStrategy } from '../../../src/lib/tuner/hyperband';
import { FakeExecutor } from './fakes';

function hyperbandJob(overrides: Partial<JobDefinition> = {}): JobDefinition {
  const base = defaultJob();
  const { epochs: _, ...fixed } = base.fixed;
  return { ...base, strategy: 'hyperband', maxJobs: 2, maxParallelJobs: 1, parameters: { ...base.parameters, epochs: { type: 'integer', min: 1, max: 9 } }, fixed, ...overrides };
}

/** Runs the job to its end, each trial reaching an accuracy that grows with its epochs and prefers lr near 0.05. */
async function runToEnd(job: JobDefinition, outcome: (params: Record<string, unknown>) => 'completed' | 'failed' = () => 'completed') {
  const strategy = new HyperbandStrategy({ space: job.parameters, goal: 'maximize', seed: 5 });
  const executor = new FakeExecutor();
  const runner = new JobRunner(job, strategy, executor);
  const done = runner.start();
  for (let guard = 0; runner.status === 'running' && guard < 1_000; guard++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    for (const [id, { spec }] of [...executor.running]) {
      const epochs = Number(spec.hyperparameters.epochs);
      const lr = Number(spec.hyperparameters.lr);
      if (outcome(spec.hyperparameters) === 'failed') {
        executor.finish(id, { status: 'failed', reason: 'Diverged.' });
        continue;
      }
      executor.log(id, `Epoch ${epochs}, Validation accuracy=${(0.9 - Math.abs(Math.log10(lr / 0.05)) * 0.2 - 0.3 / epochs).toFixed(4)}`);
      executor.finish(id);
    }
  }
  await done;
  return runner;
}

describe('the job runner under Hyperband', () => {
  it('runs rungs of 1, 3 and 9 epochs and ends after max jobs completions at the full budget, the shorter runs on top', async () => {
    const runner = await runToEnd(hyperbandJob());
    expect(runner.status).toBe('completed');
    expect(runner.fullBudgetCompleted).toBe(2);
    const epochs = runner.trials.map((t) => Number(t.params.epochs));
    expect(epochs.every((e) => [1, 3, 9].includes(e))).toBe(true);
    expect(epochs.filter((e) => e === 9)).toHaveLength(2);
    expect(runner.trials.length).toBeGreaterThan(2);
    // Each trial knows its rung, the index of its budget.
    for (const trial of runner.trials) expect(trial.rung).toBe([1, 3, 9].indexOf(Number(trial.params.epochs)));
    expect(new Set(runner.trials.map((t) => t.rung)).size).toBeGreaterThanOrEqual(2);
    expect(runner.message).toBeUndefined();
  });

  it("counts only the strategy's full-budget completions towards max jobs: re-runs and added trials come on top", () => {
    const job = hyperbandJob({ maxJobs: 2 });
    const full = (number: number, fields: Partial<Trial> = {}): Trial => ({ id: `t${number}`, number, seed: number, params: { lr: 0.05, momentum: 0.9, optimizer: 'nag', epochs: 9 }, status: 'completed', objective: 0.5, createdAt: 0, metrics: {}, epochs: [], logs: [], ...fields });
    const trials = [full(1), full(2, { rerunOf: 1 }), full(3, { added: true })];
    const runner = new JobRunner(job, new HyperbandStrategy({ space: job.parameters, goal: 'maximize', seed: 5 }), new FakeExecutor(), { resume: { trials } });
    expect(runner.fullBudgetCompleted).toBe(1);
  });

  it('stops at its cap when full-budget runs keep failing, and says so', async () => {
    const runner = await runToEnd(hyperbandJob({ maxJobs: 1 }), (params) => (Number(params.epochs) === 9 ? 'failed' : 'completed'));
    expect(runner.status).toBe('completed');
    expect(runner.trials).toHaveLength(HYPERBAND_SUGGESTION_CAP);
    expect(runner.message).toBe(`Hyperband stopped after ${HYPERBAND_SUGGESTION_CAP} trials (its cap, ${HYPERBAND_SUGGESTION_CAP} × max jobs) with 0 of 1 completed at the full budget.`);
  });

  it('is refused by the job schema without a searched epochs range of two rungs or more', () => {
    const base = defaultJob();
    expect(validateJob({ ...base, strategy: 'hyperband' }).errors).toContainEqual({ path: 'strategy', message: 'Hyperband spends epochs as its budget: search "epochs" as an integer range (for example 1 to 27).' });
    const narrow = { ...base, strategy: 'hyperband', fixed: { model: 'tiny-cnn', data: 'synthetic' }, parameters: { ...base.parameters, epochs: { type: 'integer', min: 2, max: 4 } } };
    expect(validateJob(narrow).errors).toContainEqual({ path: 'strategy', message: 'Hyperband needs epochs to span at least a factor of 3 (η) for two rungs; the range is 2 to 4.' });
    const good = { ...narrow, parameters: { ...base.parameters, epochs: { type: 'integer', min: 1, max: 3 } } };
    expect(validateJob(good).errors).toEqual([]);
  });
});
