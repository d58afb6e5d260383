import { HyperbandStrategy, type HyperbandSuggestion } from '../src/lib/tuner/hyperband';
import { hartmann3, mixedTraining } from '../bench/tuner/functions';
import type { Params } from '../src/lib/space';
import { noiseStream } from '../bench/tuner/run';
const MAX = 27;
const fns: any = {
  Hartmann3: { base: hartmann3, slowness: (p: Params) => 0.5 + 0.5 * Math.sin(4 * (p.x1 as number) + 3 * (p.x3 as number) - 2 * (p.x2 as number)), gap: [0.12, 0.42] },
  MixedTraining: { base: mixedTraining, slowness: (p: Params) => Math.min(1, Math.max(0, (-Math.log10(p.lr as number) - 1) / 4 + (Math.log2(p.batch as number) - 4) / 10)), gap: [0.1, 0.6] },
};
const fname = process.argv[2] ?? 'Hartmann3';
const seed = Number(process.argv[3] ?? 1);
const noise = Number(process.argv[4] ?? 0);
const fn = fns[fname];
const valueAt = (p: Params, e: number) => fn.base.evaluate(p) + (fn.gap[0] + (fn.gap[1] - fn.gap[0]) * fn.slowness(p)) * (Math.sqrt(MAX / e) - 1);
const s = new HyperbandStrategy({ space: { ...fn.base.space, epochs: { type: 'integer', min: 1, max: MAX, scale: 'log' } }, goal: 'minimize', seed });
const nr = noiseStream(seed);
let spent = 0, asked = 0, now = 0, best = Infinity, bestTruth = Infinity;
const running: { t: HyperbandSuggestion; end: number }[] = [];
const seen = new Set<number>();
const start = (k: number) => { for (const t of s.ask(k)) { asked += t.epochs; const fresh = !seen.has(t.config); seen.add(t.config); (t as any).direct = fresh && t.rung === 3; running.push({ t, end: now + t.epochs }); } };
start(2);
let full = 0;
while (running.length) {
  running.sort((a, b) => a.end - b.end);
  const { t, end } = running.shift()!;
  now = end; spent += t.epochs;
  const v = valueAt(t.params, t.epochs) + noise * nr.normal();
  s.tell(t.id, { value: v });
  if (t.epochs === MAX) {
    full++;
    const truth = fn.base.evaluate(t.params) - fn.base.minimum;
    if (v < best) [best, bestTruth] = [v, truth];
    const side = (s as any).region.sideLength; const loc = (s as any).local.has((s as any).configs[t.config-1]) ? 'LOCAL' : '     ';
    const xs = fname === 'Hartmann3' ? ['x1', 'x2', 'x3'].map((k) => (t.params[k] as number).toFixed(4)).join(' ') : '';
    const m = (s as any).fidelity.fit(); const th = m ? Array.from(m.posterior.theta as Float64Array).map((v: number) => Math.exp(v).toPrecision(2)).join(',') : '';
    console.log(`noise ${m?.posterior.noise.toExponential(1)} theta ${th}`);
    console.log(`${String(spent).padStart(5)} full#${String(full).padStart(2)} cfg ${String(t.config).padStart(3)} ${(t as any).direct ? 'direct' : 'promo '} regret ${truth.toExponential(2)} best ${bestTruth.toExponential(2)} ${loc} L ${side.toExponential(1)} ${xs}`);
  }
  if (asked < 1080) start(1);
}
