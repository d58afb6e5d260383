import type { Params } from '../../src/lib/space';
import { HyperbandStrategy, type HyperbandSuggestion } from '../../src/lib/tuner/hyperband';
import { hartmann3, mixedTraining } from './functions';
import { noiseStream } from './run';
const MAX = 27;
const fns: Record<string, any> = {
  Hartmann3: { base: hartmann3, slowness: (p: Params) => 0.5 + 0.5 * Math.sin(4 * (p.x1 as number) + 3 * (p.x3 as number) - 2 * (p.x2 as number)), gap: [0.12, 0.42] },
  MixedTraining: { base: mixedTraining, slowness: (p: Params) => Math.min(1, Math.max(0, (-Math.log10(p.lr as number) - 1) / 4 + (Math.log2(p.batch as number) - 4) / 10)), gap: [0.1, 0.6] },
};
const valueAt = (fn: any, p: Params, e: number) => fn.base.evaluate(p) + (fn.gap[0] + (fn.gap[1] - fn.gap[0]) * fn.slowness(p)) * (Math.sqrt(MAX / e) - 1);
const [name, seedText, noiseText] = process.argv.slice(2);
const fn = fns[name];
const seed = Number(seedText);
const noise = Number(noiseText ?? 0);
const noiseRng = noiseStream(seed);
const s = new HyperbandStrategy({ space: { ...fn.base.space, epochs: { type: 'integer', min: 1, max: MAX, scale: 'log' } }, goal: 'minimize', seed, fidelityKernel: 'select' });
let asked = 0, spent = 0, now = 0, best = Infinity, bestTruth = Infinity;
const running: { t: HyperbandSuggestion; end: number }[] = [];
const start = (k: number) => { for (const t of s.ask(k) as HyperbandSuggestion[]) { asked += t.epochs; running.push({ t, end: now + t.epochs }); } };
start(2);
let printed = 0;
while (running.length) {
  running.sort((a, b) => a.end - b.end);
  const { t, end } = running.shift()!;
  now = end; spent += t.epochs;
  const v = valueAt(fn, t.params, t.epochs) + noise * noiseRng.normal();
  s.tell(t.id, { value: v });
  if (t.epochs === MAX && v < best) [best, bestTruth] = [v, fn.base.evaluate(t.params)];
  const ch = (s as any).fidelity.choices;
  for (; printed < ch.length; printed++) {
    const c = ch[printed];
    const f = c.scores.feature, cv = c.scores.curve;
    console.log(`spent ${spent} n ${c.results} full ${c.fullBudget} feature ${f.density.toFixed(2)} τ ${f.tau.toFixed(2)} | curve ${cv.density.toFixed(2)} τ ${cv.tau.toFixed(2)} → ${c.chosen}  regret ${(bestTruth - fn.base.minimum).toExponential(2)}`);
  }
  if (asked < 1080) start(1);
}
