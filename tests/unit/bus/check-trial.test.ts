import { describe, expect, it } from 'vitest';
import { trialRefusal } from '../../../src/lib/bus/check-trial';
import type { JobRecord, TrialMessage } from '../../../src/lib/bus/messages';
import { defaultJob } from '../../../src/lib/config';

const definition = defaultJob();
const record: JobRecord = { v: 1, job: 'j1', definition, dataset: { name: 'synthetic' }, status: 'running', updatedAt: 0 };
const good: TrialMessage = { v: 1, job: 'j1', number: 1, seed: 7, dataset: { name: 'synthetic' }, hyperparameters: { ...definition.fixed, lr: 0.01, momentum: 0.9, optimizer: 'nag' } };
const refusal = (change: (t: TrialMessage) => void, onRecord: JobRecord = record) => {
  const trial = structuredClone(good);
  change(trial);
  return trialRefusal('j1', onRecord, trial);
};

describe('trialRefusal: what a worker will not train', () => {
  it('takes a spec of its job inside the space with the fixed values', () => {
    expect(trialRefusal('j1', record, good)).toBeNull();
  });

  it('refuses another job, another data set, a changed or missing fixed value, an unknown name, a value outside the space', () => {
    expect(refusal((t) => (t.job = 'j2'))).toBe('This worker serves job j1; the trial belongs to job j2.');
    expect(refusal((t) => (t.dataset = { name: 'cifar10', sha256: 'a'.repeat(64) }))).toMatch(/^The trial trains on data=synthetic but names CIFAR-10 with SHA-256 aaaaaaaaaaaa…/);
    const cifarRecord: JobRecord = { ...record, definition: { ...definition, fixed: { ...definition.fixed, data: 'cifar10' } }, dataset: { name: 'cifar10', sha256: 'b'.repeat(64) } };
    expect(refusal((t) => ((t.hyperparameters.data = 'cifar10'), (t.dataset = { name: 'cifar10', sha256: 'a'.repeat(64) })), cifarRecord)).toBe("The trial asks for CIFAR-10 with SHA-256 aaaaaaaaaaaa…; job j1 trains on CIFAR-10 with SHA-256 bbbbbbbbbbbb….");
    expect(refusal((t) => (t.hyperparameters.epochs = 300))).toBe('The trial sets epochs = 300; job j1 fixes it at 3.');
    expect(refusal((t) => delete t.hyperparameters.width)).toBe("The trial leaves out the job's fixed width.");
    expect(refusal((t) => (t.hyperparameters.cutout = 8))).toBe('The trial sets "cutout", which job j1 neither searches nor fixes.');
    expect(refusal((t) => (t.hyperparameters.lr = 3))).toMatch(/^The trial's hyperparameters are outside job j1's search space: .*lr/);
    expect(refusal((t) => (t.hyperparameters.optimizer = 'adam'))).toMatch(/outside job j1's search space: .*optimizer/);
  });

  it('refuses values the engine rules out even when the job (edited on the server) allows them', () => {
    const loose: JobRecord = { ...record, definition: { ...definition, parameters: { ...definition.parameters, lr: { type: 'continuous', min: -1, max: 0.3, scale: 'linear' } } } };
    expect(refusal((t) => (t.hyperparameters.lr = -0.5), loose)).toMatch(/^(The engine refuses the trial's hyperparameters|The job definition on the server is not valid): .*lr/);
  });
});
