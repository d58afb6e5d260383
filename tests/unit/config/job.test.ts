import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRIES, defaultJob, JOB_VERSION, joinLink, readJoinLink, validateJob } from '../../../src/lib/config';
import { formToJob, jobToForm } from '../../../src/ui/state/form-model';

describe('job definition version 2', () => {
  it('opens a version-1 job, which has no completion criteria or retries, with their defaults', () => {
    const { completion: _, retries: __, ...v1 } = { ...defaultJob(), version: 1, maxJobs: 5 };
    const { job, errors } = validateJob(v1);
    expect(errors).toEqual([]);
    expect(job).toMatchObject({ version: JOB_VERSION, maxJobs: 5, completion: {}, retries: DEFAULT_RETRIES });
  });

  it('reads each completion criterion from numbers or form text, and leaves empty ones out', () => {
    const { job, errors } = validateJob({ ...defaultJob(), completion: { targetObjective: '0.94', trialsWithoutImprovement: 5, maxRuntimeSeconds: '' } });
    expect(errors).toEqual([]);
    expect(job.completion).toEqual({ targetObjective: 0.94, trialsWithoutImprovement: 5 });
  });

  it('refuses unusable criteria and retries, each on its own path', () => {
    const { errors } = validateJob({
      ...defaultJob(),
      completion: { targetObjective: 'high', trialsWithoutImprovement: 2.5, maxRuntimeSeconds: -1, patience: 3 },
      retries: 11,
    });
    expect(errors.map((e) => e.path).sort()).toEqual(['completion.maxRuntimeSeconds', 'completion.patience', 'completion.targetObjective', 'completion.trialsWithoutImprovement', 'retries']);
    expect(validateJob({ ...defaultJob(), completion: [] }).errors).toEqual([{ path: 'completion', message: expect.stringContaining('object') }]);
    expect(validateJob({ ...defaultJob(), retries: 0 }).job.retries).toBe(0);
  });

  it('round-trips completion criteria and retries through the form, with errors on their fields', () => {
    const job = { ...defaultJob(), completion: { targetObjective: 0.5, maxRuntimeSeconds: 3600 }, retries: 2 };
    expect(formToJob(jobToForm(job)).job).toEqual(job);
    const form = jobToForm(job);
    form.trialsWithoutImprovement = '0';
    expect([...formToJob(form).errors.keys()]).toEqual(['completion.trialsWithoutImprovement']);
  });
});

describe('the NATS server field', () => {
  it('takes a ws:// or wss:// address, leaves it out when empty, and round-trips it through the form', () => {
    expect(validateJob({ ...defaultJob(), natsServer: '  wss://nats.lab.example:8222 ' }).job.natsServer).toBe('wss://nats.lab.example:8222');
    expect('natsServer' in validateJob({ ...defaultJob(), natsServer: '' }).job).toBe(false);
    expect('natsServer' in validateJob(defaultJob()).job).toBe(false);
    const job = { ...defaultJob(), natsServer: 'ws://127.0.0.1:8222' };
    expect(formToJob(jobToForm(job)).job.natsServer).toBe('ws://127.0.0.1:8222');
  });

  it('refuses credentials in the address (jobs travel in links), other schemes and non-URLs, on its own field', () => {
    const error = (natsServer: unknown) => validateJob({ ...defaultJob(), natsServer }).errors;
    expect(error('wss://alice:secret@nats.example:8222')).toEqual([{ path: 'natsServer', message: expect.stringMatching(/^Credentials never go into a job/) }]);
    expect(error('wss://token@nats.example:8222')[0].message).toMatch(/^Credentials never go into a job/);
    expect(error('nats://nats.example:4222')[0].message).toMatch(/use ws:\/\/ or wss:\/\/ \(got nats:\/\/\)\. Node workers use nats:\/\//);
    expect(error('nats.example')[0].message).toMatch(/is not a URL/);
    expect(error(42)[0]).toEqual({ path: 'natsServer', message: 'The NATS server must be a ws:// or wss:// URL.' });
    const form = jobToForm(defaultJob());
    form.natsServer = 'wss://bob:pw@host:1';
    expect(formToJob(form).errors.get('natsServer')).toMatch(/^Credentials never/);
  });
});

describe('join links', () => {
  it('round-trip the server and job through the address, under any page path', () => {
    const link = joinLink('wss://nats.lab.example:8222', 'a1b2-c3', 'https://tabtune.example/sub/path/?x=1#v1.abc');
    expect(link).toBe('https://tabtune.example/sub/path/?x=1#join=wss%3A%2F%2Fnats.lab.example%3A8222&job=a1b2-c3');
    expect(readJoinLink(new URL(link).hash)).toEqual({ server: 'wss://nats.lab.example:8222', job: 'a1b2-c3' });
  });

  it('are not read from other addresses or without a job', () => {
    expect(readJoinLink('#v1.abc')).toBeUndefined();
    expect(readJoinLink('#join=ws%3A%2F%2Fh%3A1')).toBeUndefined();
    expect(readJoinLink('')).toBeUndefined();
  });
});
