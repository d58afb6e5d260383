import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/lib/rng';
import { encodeParams, sampleParams, type Params, type SearchSpace } from '../../../src/lib/space';
import { fitBelief, type BeliefObservation } from '../../../src/lib/tuner/belief';
import { importanceWithoutModel } from '../../../src/lib/tuner/importance';

const mixed: SearchSpace = {
  lr: { type: 'continuous', min: 1e-4, max: 1, scale: 'log' },
  momentum: { type: 'continuous', min: 0.5, max: 0.999, scale: 'reverse-log' },
  dropout: { type: 'continuous', min: 0, max: 0.5, scale: 'linear' },
  wd: { type: 'continuous', min: 1e-5, max: 1e-2 }, // auto: three decades → log
  width: { type: 'continuous', min: 0.5, max: 2 }, // auto: a factor of 4 → linear
  batch: { type: 'integer', min: 16, max: 512, scale: 'log' },
  depth: { type: 'integer', min: 1, max: 8 },
  opt: { type: 'categorical', values: ['sgd', 'adam', 7] },
};

function loss(p: Params): number {
  return (Math.log10(p.lr as number) + 2) ** 2 + (p.opt === 'adam' ? 0 : 0.5) + 0.1 * Math.abs((p.depth as number) - 3) + 2 * (p.dropout as number);
}

function observe(space: SearchSpace, f: (p: Params) => number, n: number, seed: number): BeliefObservation[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => {
    const params = sampleParams(space, rng);
    return { params, value: f(params) };
  });
}

function ratios(values: number[]): number[] {
  return values.slice(1).map((v, i) => v / values[i]);
}

describe('the display belief', () => {
  const observations = observe(mixed, loss, 24, 1);
  const belief = fitBelief(mixed, 'minimize', observations, { seed: 3 })!;
  const at = observations[0].params;

  it('slices to the posterior computed from full feature vectors, mapped back through the warp', () => {
    for (const name of Object.keys(mixed)) {
      for (const entry of belief.slice(name, at, 15)) {
        // Independent of the slice code: the whole point, the latent posterior, the inverse warp.
        const { mean, variance } = belief.posterior.predict(encodeParams(belief.layout, { ...at, [name]: entry.value }));
        const sd = Math.sqrt(variance);
        expect(entry.mean).toBeCloseTo(belief.warp.inverse(mean), 12);
        expect(entry.lower).toBeCloseTo(belief.warp.inverse(mean - sd), 12);
        expect(entry.upper).toBeCloseTo(belief.warp.inverse(mean + sd), 12);
        expect(entry.lower).toBeLessThan(entry.mean);
        expect(entry.upper).toBeGreaterThan(entry.mean);
      }
    }
  });

  it('holds the other parameters at `at`: the slice passes through the value there', () => {
    const [point] = belief.slice('opt', at, 2).filter((e) => e.value === at.opt);
    const { mean } = belief.posterior.predict(encodeParams(belief.layout, at));
    expect(point.mean).toBeCloseTo(belief.warp.inverse(mean), 12);
  });

  it('spaces continuous values evenly in their scale, ends included', () => {
    const values = (name: string) => belief.slice(name, at, 60).map((e) => e.value as number);
    const lr = values('lr');
    expect(lr).toHaveLength(60);
    expect([lr[0], lr[59]]).toEqual([1e-4, 1]);
    for (const r of ratios(lr)) expect(r).toBeCloseTo(10 ** (4 / 59), 10);
    const wd = values('wd');
    for (const r of ratios(wd)) expect(r).toBeCloseTo(10 ** (3 / 59), 10);
    const momentum = values('momentum');
    expect([momentum[0], momentum[59]]).toEqual([0.5, 0.999]);
    for (const r of ratios(momentum.map((m) => 1 - m))) expect(r).toBeCloseTo(0.002 ** (1 / 59), 10);
    for (const name of ['dropout', 'width']) {
      const linear = values(name);
      const step = linear[1] - linear[0];
      linear.slice(1).forEach((v, i) => expect(v - linear[i]).toBeCloseTo(step, 12));
    }
  });

  it('visits every integer when they fit, else evenly spaced integers, and each category once', () => {
    expect(belief.slice('depth', at, 60).map((e) => e.value)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // 1 + 7i/4 = 1, 2.75, 4.5, 6.25, 8, rounded.
    expect(belief.slice('depth', at, 5).map((e) => e.value)).toEqual([1, 3, 5, 6, 8]);
    const batch = belief.slice('batch', at, 60).map((e) => e.value as number);
    expect(batch[0]).toBe(16);
    expect(batch[batch.length - 1]).toBe(512);
    expect(batch.length).toBeLessThanOrEqual(60);
    expect(batch.length).toBeGreaterThan(50);
    for (const b of batch) expect(Number.isInteger(b)).toBe(true);
    // Log-spaced: the middle of the list sits near the geometric mean, 90.5, not the arithmetic 264.
    expect(batch[Math.floor(batch.length / 2)]).toBeGreaterThan(75);
    expect(batch[Math.floor(batch.length / 2)]).toBeLessThan(110);
    ratios(batch).forEach((r) => expect(r).toBeGreaterThan(1));
    expect(belief.slice('opt', at).map((e) => e.value)).toEqual(['sgd', 'adam', 7]);
  });

  it('refuses an unknown parameter, a bad point count and an `at` outside the space', () => {
    expect(() => belief.slice('nope', at)).toThrow(/not a parameter/);
    expect(() => belief.slice('lr', at, 1)).toThrow(/2 to 1000 points/);
    expect(() => belief.slice('lr', at, 2.5)).toThrow(/2 to 1000 points/);
    expect(() => belief.slice('lr', { ...at, depth: 20 })).toThrow(/out of range/);
    expect(() => fitBelief(mixed, 'minimize', observations.slice(0, 1))).toThrow(/at least 2/);
    expect(() => fitBelief(mixed, 'minimize', [...observations.slice(0, 2), { params: at, value: NaN }])).toThrow(/finite/);
  });

  it('gives an asymmetric band on skewed data, and a symmetric one without the power transform', () => {
    const space: SearchSpace = { x: { type: 'continuous', min: 0, max: 1 } };
    // Log-normal, like losses with a few runs far worse than the rest.
    const rng = createRng(1);
    const skewed = Array.from({ length: 12 }, (_, i) => ({ params: { x: i / 11 }, value: Math.exp(2 * rng.normal()) }));
    const skew = (powerTransform: boolean) =>
      fitBelief(space, 'minimize', skewed, { seed: 1, powerTransform })!
        .slice('x', { x: 0.5 }, 23)
        .map((e) => (e.upper - e.mean) / (e.mean - e.lower));
    // The transform compresses the long upper tail, so mapped back the band reaches further up.
    const warped = skew(true);
    for (const s of warped) expect(s).toBeGreaterThan(1);
    expect(Math.max(...warped)).toBeGreaterThan(1.5);
    for (const s of skew(false)) expect(s).toBeCloseTo(1, 9);
  });

  it('shows a maximized metric in its own direction, with the band edges swapped', () => {
    const accuracy = (p: Params) => 1 - loss(p) / 10;
    const data = observe(mixed, accuracy, 20, 7);
    const max = fitBelief(mixed, 'maximize', data, { seed: 2 })!;
    const min = fitBelief(
      mixed,
      'minimize',
      data.map((o) => ({ params: o.params, value: -o.value })),
      { seed: 2 },
    )!;
    const at = data[0].params;
    const up = max.slice('lr', at, 20);
    const down = min.slice('lr', at, 20);
    up.forEach((e, i) => {
      expect(e.mean).toBe(-down[i].mean);
      expect(e.lower).toBe(-down[i].upper);
      expect(e.upper).toBe(-down[i].lower);
      expect(e.lower).toBeLessThan(e.mean);
      expect(e.upper).toBeGreaterThan(e.mean);
    });
    // Accuracy peaks at lr = 1e-2 (the middle of the decades): the belief's best is near it.
    const best = up.reduce((a, b) => (b.mean > a.mean ? b : a));
    expect(Math.abs(Math.log10(best.value as number) + 2)).toBeLessThan(0.8);
  });

  it('replays the same fit for the same seed and observations', () => {
    const again = fitBelief(mixed, 'minimize', observations, { seed: 3 })!;
    expect(again.slice('lr', at)).toEqual(belief.slice('lr', at));
    expect(again.importance()).toEqual(belief.importance());
  });
});

describe('importance', () => {
  const space: SearchSpace = {
    x1: { type: 'continuous', min: 0, max: 1 },
    x2: { type: 'continuous', min: 1e-3, max: 1, scale: 'log' },
    x3: { type: 'integer', min: 0, max: 9 },
    x4: { type: 'categorical', values: ['a', 'b', 'c'] },
  };
  // Only x1 matters.
  const f = (p: Params) => Math.sin(6 * (p.x1 as number)) + 2 * (p.x1 as number);
  const data = observe(space, f, 40, 11);

  it('finds the one parameter that matters from the GP lengthscales', () => {
    const importance = fitBelief(space, 'minimize', data, { seed: 4 })!.importance();
    expect(importance.map((e) => e.name)).toEqual(['x1', 'x2', 'x3', 'x4']);
    expect(importance.reduce((s, e) => s + e.importance, 0)).toBeCloseTo(1, 12);
    for (const e of importance) expect(e.importance).toBeCloseTo(1 / e.lengthscale / importance.reduce((s, o) => s + 1 / o.lengthscale, 0), 12);
    expect(importance[0].importance).toBeGreaterThan(0.6);
    for (const e of importance.slice(1)) expect(e.lengthscale).toBeGreaterThan(3 * importance[0].lengthscale);
  });

  it('finds it without a model, from the variance each parameter explains', () => {
    const importance = importanceWithoutModel(space, data);
    expect(importance.map((e) => e.name)).toEqual(['x1', 'x2', 'x3', 'x4']);
    expect(importance.reduce((s, e) => s + e.importance, 0)).toBeCloseTo(1, 12);
    // sin(6x) turns within a bin, so x1 alone explains most of the variance, not all of it.
    expect(importance[0].varianceExplained).toBeGreaterThan(0.5);
    expect(importance[0].importance).toBeGreaterThan(0.8);
    for (const e of importance.slice(1)) expect(e.varianceExplained).toBeLessThan(0.1);
  });

  it('finds a categorical that matters without a model, and gives nothing to constant values', () => {
    const byCategory = observe(space, (p) => (p.x4 === 'b' ? 3 : 0) + 0.01 * (p.x3 as number), 30, 2);
    const importance = importanceWithoutModel(space, byCategory);
    expect(importance[3].importance).toBeGreaterThan(0.8);
    const flat = importanceWithoutModel(
      space,
      data.map((o) => ({ params: o.params, value: 1 })),
    );
    for (const e of flat) expect([e.varianceExplained, e.importance]).toEqual([0, 0]);
    expect(() => importanceWithoutModel(space, data.slice(0, 1))).toThrow(/at least 2/);
  });
});
