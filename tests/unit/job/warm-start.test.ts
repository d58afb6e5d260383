import { describe, expect, it } from 'vitest';
import { defaultJob } from '../../../src/lib/config';
import { describeWarmStart, planWarmStart, type WarmStartParent } from '../../../src/lib/job';

const job = {
  ...defaultJob(),
  parameters: {
    lr: { type: 'continuous' as const, min: 0.01, max: 0.5, scale: 'log' as const },
    epochs: { type: 'integer' as const, min: 2, max: 6 },
  },
};
const objective = job.objective;
const done = (params: Record<string, number | string>, value: number, resolved?: Record<string, number>) => ({ status: 'completed' as const, params, objective: value, resolved });

describe('planWarmStart', () => {
  it("matches each completed trial on the new job's searched names: its own values, its job's fixed values, then what it resolved", () => {
    const parent: WarmStartParent = {
      name: 'A',
      job: { objective, fixed: { epochs: 4 } },
      trials: [done({ lr: 0.1 }, 0.6), done({ lr: 0.2, momentum: 0.9 }, 0.7)],
    };
    const other: WarmStartParent = { name: 'B', job: { objective, fixed: {} }, trials: [done({ lr: 0.05 }, 0.5, { lr: 0.05, epochs: 3 })] };
    const plan = planWarmStart(job, [parent, other]);
    expect(plan.observations).toEqual([
      { params: { lr: 0.1, epochs: 4 }, value: 0.6 },
      { params: { lr: 0.2, epochs: 4 }, value: 0.7 },
      { params: { lr: 0.05, epochs: 3 }, value: 0.5 },
    ]);
    expect(plan.refused).toEqual([]);
  });

  it('leaves out trials that lack a name, fall outside the space or did not complete, with a count for each reason', () => {
    const parent: WarmStartParent = {
      name: 'A',
      job: { objective, fixed: {} },
      trials: [
        done({ lr: 0.1, epochs: 3 }, 0.6),
        done({ lr: 0.1 }, 0.6),
        done({ lr: 0.9, epochs: 3 }, 0.8),
        done({ lr: 0.1, epochs: 2.5 }, 0.8),
        { status: 'failed', params: { lr: 0.1, epochs: 3 } },
        { status: 'completed', params: { lr: 0.1, epochs: 3 }, objective: Number.NaN },
      ],
    };
    const plan = planWarmStart(job, [parent]);
    expect(plan.observations).toHaveLength(1);
    expect(plan.parents).toEqual([{ name: 'A', used: 1, notCompleted: 2, missing: { epochs: 1 }, outOfRange: 2 }]);
    expect(describeWarmStart(plan)).toEqual(['A: 1 trial (left out: 1 lack epochs, 2 outside this search space, 2 not completed)']);
  });

  it('refuses a parent with another objective metric or goal, and parents beyond five', () => {
    const parents: WarmStartParent[] = [
      { name: 'loss', job: { objective: { metric: 'loss', goal: 'minimize' }, fixed: {} }, trials: [done({ lr: 0.1, epochs: 3 }, 0.2)] },
      { name: 'min', job: { objective: { ...objective, goal: 'minimize' }, fixed: {} }, trials: [done({ lr: 0.1, epochs: 3 }, 0.2)] },
      ...Array.from({ length: 4 }, (_, i) => ({ name: `ok${i}`, job: { objective, fixed: {} }, trials: [done({ lr: 0.1, epochs: 3 }, 0.5)] })),
    ];
    const plan = planWarmStart(job, parents);
    expect(plan.observations).toHaveLength(3);
    expect(plan.refused.map((r) => r.name)).toEqual(['loss', 'min', 'ok3']);
    expect(plan.refused[0].reason).toBe(`Its objective is to minimize loss; this job's is to maximize ${objective.metric}.`);
    expect(plan.refused[2].reason).toMatch(/at most 5 parent jobs/);
  });
});
