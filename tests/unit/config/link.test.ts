import fc from 'fast-check';
import { deflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { defaultJob, PRESETS, type JobDefinition } from '../../../src/lib/config';
import {
  baseTypedJob,
  completeMembers,
  decodeJobLink,
  encodeJobLink,
  fromBase64Url,
  LINK_BASE,
  LINK_VERSION,
  linkPayload,
  toBase64Url,
  type TypedJob,
} from '../../../src/lib/config/link';
import { RECIPE_VERSION } from '../../../src/lib/recipe/hyperparameters';
import { STRATEGIES } from '../../../src/lib/tuner/types';
import { formToJob, formToTyped, jobToForm, sameJob, typedToForm } from '../../../src/ui/state/form-model';

/** Cases per property: FUZZ_RUNS (default 200); seeds are fixed so a run repeats. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const SEED = Number(process.env.FUZZ_SEED ?? 0);

/** A link whose payload is any JSON text, as a newer or a broken TabTune might write it. */
const linkOf = (json: string, version = LINK_VERSION) => `v${version}.${toBase64Url(deflateSync(new TextEncoder().encode(json)))}`;
const sagemaker = PRESETS.find((p) => p.id === 'sagemaker-cifar10')!;
const typedOf = (job: JobDefinition): TypedJob => formToTyped(jobToForm(job));

const text = fc.string({ unit: 'grapheme', maxLength: 12 });
const typedJob: fc.Arbitrary<TypedJob> = fc
  .record({
    parameters: fc.array(
      fc.record({
        name: text,
        type: fc.constantFrom('continuous' as const, 'integer' as const, 'categorical' as const),
        min: text,
        max: text,
        scale: fc.constantFrom('linear' as const, 'log' as const, 'reverse-log' as const, 'auto' as const),
        values: text,
      }),
      { maxLength: 5 },
    ),
    training: fc.dictionary(fc.string({ maxLength: 10 }), text, { maxKeys: 6 }),
    maxJobs: text,
    maxParallelJobs: text,
    strategy: fc.constantFrom(...STRATEGIES),
    earlyStopping: fc.constantFrom('off' as const, 'auto' as const),
    seed: text,
    targetObjective: text,
    trialsWithoutImprovement: text,
    maxRuntimeSeconds: text,
    retries: text,
    natsServer: fc.oneof(text, fc.constantFrom('', 'wss://nats.example:8222', 'ws://127.0.0.1:8222', 'nats://x:4222')),
    metrics: fc.array(fc.record({ name: text, regex: fc.string({ maxLength: 30 }) }), { maxLength: 4 }),
    goal: fc.constantFrom('maximize' as const, 'minimize' as const),
    objectiveSeed: fc.nat(),
  })
  .map(({ objectiveSeed, ...job }) => ({ ...job, objective: job.metrics.length === 0 ? -1 : (objectiveSeed % (job.metrics.length + 1)) - 1 }));

/** Job definitions of any shape the schema allows, valid or not by the engine's rules. */
const jobDefinition: fc.Arbitrary<JobDefinition> = fc
  .record({
    parameters: fc.dictionary(
      fc.constantFrom('lr', 'momentum', 'weight_decay', 'epochs', 'optimizer', 'label_smoothing', 'x y'),
      fc.oneof(
        fc.record({ type: fc.constant('continuous' as const), min: fc.double({ noNaN: true, min: -10, max: 10 }), max: fc.double({ noNaN: true, min: -10, max: 10 }), scale: fc.constantFrom('linear' as const, 'log' as const, 'auto' as const) }),
        fc.record({ type: fc.constant('integer' as const), min: fc.integer({ min: 0, max: 9 }), max: fc.integer({ min: 0, max: 99 }), scale: fc.constant('linear' as const) }),
        fc.record({ type: fc.constant('categorical' as const), values: fc.array(fc.oneof(fc.constantFrom('sgd', 'nag', 'a b'), fc.integer({ min: 0, max: 999 })), { minLength: 1, maxLength: 4 }) }),
      ),
      { maxKeys: 4 },
    ),
    fixed: fc.dictionary(fc.constantFrom('model', 'data', 'batch_size', 'epochs', 'width', 'cutout', 'ema'), fc.oneof(fc.integer({ min: 1, max: 2048 }), fc.constantFrom('resnet18', 'cifar10', 'synthetic'), fc.boolean()), { maxKeys: 5 }),
    strategy: fc.constantFrom(...STRATEGIES),
    maxJobs: fc.integer({ min: 1, max: 500 }),
    maxParallelJobs: fc.integer({ min: 1, max: 8 }),
    earlyStopping: fc.constantFrom('off' as const, 'auto' as const),
    seed: fc.nat(),
    completion: fc.record(
      { targetObjective: fc.double({ noNaN: true, noDefaultInfinity: true, min: -5, max: 5 }), trialsWithoutImprovement: fc.integer({ min: 1, max: 50 }), maxRuntimeSeconds: fc.integer({ min: 1, max: 99999 }) },
      { requiredKeys: [] },
    ),
    retries: fc.integer({ min: 0, max: 10 }),
    natsServer: fc.constantFrom(undefined, 'wss://nats.example:8222', 'ws://127.0.0.1:8222'),
    metrics: fc.array(fc.record({ name: fc.string({ minLength: 1, maxLength: 12 }), regex: fc.constantFrom('Validation accuracy=([0-9\\.]+)', 'loss=([0-9.]+)', 'a(b') }), { minLength: 1, maxLength: 3 }),
    objectiveIndex: fc.nat(),
    goal: fc.constantFrom('maximize' as const, 'minimize' as const),
  })
  .map(({ metrics, objectiveIndex, goal, natsServer, ...rest }) => ({
    ...defaultJob(),
    ...rest,
    ...(natsServer ? { natsServer } : {}),
    metricDefinitions: metrics,
    objective: { metric: metrics[objectiveIndex % metrics.length].name, goal },
  }));

describe('share links', () => {
  it("compares against the default job's form (a change of the default needs a new link version that keeps this base)", () => {
    expect(typedOf(defaultJob())).toEqual(LINK_BASE);
  });

  it('writes nothing but the recipe version for the default job', () => {
    expect(linkPayload(baseTypedJob())).toBe(`{"r":${RECIPE_VERSION}}`);
    const fragment = encodeJobLink(baseTypedJob());
    expect(fragment.length).toBeLessThan(20);
    expect(decodeJobLink(fragment)).toEqual({ job: LINK_BASE, problems: [] });
  });

  it("keeps the SageMaker preset's link well under 500 characters, and carries its whole definition", () => {
    const fragment = encodeJobLink(typedOf(sagemaker.job));
    const url = `https://example.github.io/tabtune/#${fragment}`;
    console.log(`SageMaker preset: link fragment ${fragment.length} characters, ${url.length} with https://example.github.io/tabtune/#`);
    expect(url.length).toBeLessThan(500);
    expect(fragment.length).toBeLessThan(300);
    expect(fragment).not.toContain(sagemaker.id);
    const { job, problems } = decodeJobLink(`#${fragment}`)!;
    expect(problems).toEqual([]);
    expect(sameJob(formToJob(typedToForm(job)).job, formToJob(jobToForm(sagemaker.job)).job)).toBe(true);
  });

  it('reads back every preset', () => {
    for (const preset of PRESETS) {
      const typed = typedOf(preset.job);
      expect(decodeJobLink(encodeJobLink(typed))).toEqual({ job: typed, problems: [] });
    }
  });

  it('reads back any form as typed, invalid text and odd characters included', () => {
    fc.assert(
      fc.property(typedJob, (typed) => {
        const fragment = encodeJobLink(typed);
        expect(fragment).toMatch(/^v1\.[A-Za-z0-9_-]*$/);
        expect(decodeJobLink(`#${fragment}`)).toEqual({ job: typed, problems: [] });
        // Through the page's form and back: the row keys are new, the rest is the same.
        expect(formToTyped(typedToForm(typed))).toEqual(typed);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('reads back any job definition as the form produces it', () => {
    fc.assert(
      fc.property(jobDefinition, (job) => {
        const form = jobToForm(job);
        const reading = decodeJobLink(encodeJobLink(formToTyped(form)))!;
        expect(reading.problems).toEqual([]);
        const back = formToJob(typedToForm(reading.job));
        const original = formToJob(form);
        expect(sameJob(back.job, original.job)).toBe(true);
        expect([...back.errors.values()]).toEqual([...original.errors.values()]);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('keeps, from a link cut at any length, only fields that are whole, and says it was cut', () => {
    const typed = typedOf(sagemaker.job);
    typed.seed = '7';
    typed.strategy = 'random';
    typed.metrics.push({ name: 'loss', regex: 'Train loss=([0-9.]+)' });
    const fragment = encodeJobLink(typed);
    let partial = 0;
    for (let length = 0; length < fragment.length; length++) {
      const reading = decodeJobLink(fragment.slice(0, length));
      if (length === 0) {
        expect(reading).toBeUndefined();
        continue;
      }
      const { job, problems } = reading!;
      for (const key of Object.keys(job) as (keyof TypedJob)[]) expect([typed[key], LINK_BASE[key]], key).toContainEqual(job[key]);
      if (!sameJob(formToJob(typedToForm(job)).job, formToJob(typedToForm(typed)).job)) {
        expect(problems.join(' '), `cut at ${length}`).toMatch(/cut short|damaged|empty|not hold/);
      }
      if (problems.some((p) => p.includes('only its'))) partial++;
    }
    // Most cuts keep something: the short fields come first.
    expect(partial).toBeGreaterThan(fragment.length / 2);
  });

  it('never throws on any text after #, and gives the defaults for what it cannot read', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string().map((s) => `v1.${s}`), fc.base64String().map((s) => `v1.${s.replace(/=/g, '')}`), fc.string().map((s) => linkOf(s))), (hash) => {
        const reading = decodeJobLink(hash);
        if (hash === '') expect(reading).toBeUndefined();
        else {
          expect(reading!.job).toBeDefined();
          if (reading!.problems.length === 0) expect(hash).toMatch(/^v1\./);
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
    const garbage = decodeJobLink('#<img src=x onerror=alert(1)>')!;
    expect(garbage.job).toEqual(LINK_BASE);
    expect(garbage.problems).toEqual([expect.stringContaining('does not hold a TabTune job link')]);
    expect(decodeJobLink('#v1.!!!')!.problems).toEqual([expect.stringContaining('damaged')]);
  });

  it('reads a link from a newer version as far as it can, and says so', () => {
    const { job, problems } = decodeJobLink(linkOf(JSON.stringify({ r: RECIPE_VERSION, sd: '42', zz: [1, 2] }), LINK_VERSION + 1))!;
    expect(job.seed).toBe('42');
    expect(problems).toEqual([expect.stringContaining('newer TabTune (link version 2; this page reads version 1)'), expect.stringContaining('does not know (zz)')]);
  });

  it('keeps each field it can read when others are wrong', () => {
    const json = JSON.stringify({
      r: RECIPE_VERSION + 1,
      mj: 5,
      s: 'hill-climbing',
      sd: '3',
      g: 'minimize',
      t: { model: 'resnet9', batch_size: 64 },
      m: [['acc', 'acc=([0-9.]+)'], ['broken']],
      p: [['lr', 'continuous', '0.1', '1', 'log', ''], ['momentum', 'spline', '', '', 'auto', '']],
      o: 4,
    });
    const { job, problems } = decodeJobLink(linkOf(json))!;
    expect(job).toEqual({
      ...LINK_BASE,
      seed: '3',
      goal: 'minimize',
      training: { model: 'resnet9' },
      metrics: [{ name: 'acc', regex: 'acc=([0-9.]+)' }],
      parameters: [{ name: 'lr', type: 'continuous', min: '0.1', max: '1', scale: 'log', values: '' }],
      objective: 0,
    });
    expect(problems).toEqual([
      "The link's max jobs could not be read (not text); it is left at its default.",
      `The link's strategy could not be read ("hill-climbing" is not one of bayesian, random, grid, hyperband); it is left at its default.`,
      'The link\'s training value "batch_size" could not be read; it follows the recipe.',
      'Metric 2 of the link could not be read; it was left out.',
      'Search-space row 2 of the link could not be read; it was left out.',
      "The link's objective names metric 5, which it does not define; the first metric is the objective.",
      expect.stringContaining(`recipe version ${RECIPE_VERSION + 1}`),
    ]);
  });

  it('reads a payload that is not an object, or that inflates without bound, as nothing', () => {
    expect(decodeJobLink(linkOf('[1,2]'))!.problems).toEqual([expect.stringContaining('Nothing of its job could be read')]);
    expect(decodeJobLink(linkOf('"text"'))!.problems).toEqual([expect.stringContaining('Nothing of its job could be read')]);
    const bomb = decodeJobLink(linkOf(`{"sd":"1",${' '.repeat(2_000_000)}`))!;
    expect(bomb.problems.join(' ')).toMatch(/damaged \(it inflates to more than a job could hold\)/);
    expect(bomb.job.seed).toBe('1');
  });

  it('takes a link with punctuation a messenger added at its end', () => {
    const fragment = encodeJobLink(typedOf(sagemaker.job));
    expect(decodeJobLink(`${fragment})`)!.problems).toEqual([]);
  });
});

describe('link helpers', () => {
  it('writes and reads base64url', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const text = toBase64Url(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64url'));
        expect(fromBase64Url(text)).toEqual({ bytes });
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect(fromBase64Url('AAA*B')).toEqual({ bytes: new Uint8Array([0, 0]), stray: '*' });
  });

  it('keeps the members of cut JSON that a comma closes', () => {
    expect(completeMembers('{"a":"x,y","b":[1,{"c":2}],"d":12')).toEqual({ a: 'x,y', b: [1, { c: 2 }] });
    expect(completeMembers('{"a":"\\",","b"')).toEqual({ a: '",' });
    expect(completeMembers('{"a":1')).toEqual({});
  });
});
