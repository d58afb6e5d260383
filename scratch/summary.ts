// Per-seed summary: regret at checkpoints, full runs by 540.
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
const seeds = Number(process.argv[3] ?? 15);
const noise = Number(process.argv[4] ?? 0);
const fn = fns[fname];
const valueAt = (p: Params, e: number) => fn.base.evaluate(p) + (fn.gap[0] + (fn.gap[1] - fn.gap[0]) * fn.slowness(p)) * (Math.sqrt(MAX / e) - 1);
const at = Array.from({ length: 16 }, (_, i) => Math.round(((i + 1) / 16) * 1080));
const target = Number(process.argv[5] ?? 5.79e-6);
const quiet = process.env.QUIET === '1';
const rows: number[][] = [];
for (let seed = 1; seed <= seeds; seed++) {
  const s = new HyperbandStrategy({ space: { ...fn.base.space, epochs: { type: 'integer', min: 1, max: MAX, scale: 'log' } }, goal: 'minimize', seed });
  const nr = noiseStream(seed);
  let spent = 0, asked = 0, now = 0, best = Infinity, bestTruth = Infinity, full = 0, fullAt540 = 0;
  const running: { t: HyperbandSuggestion; end: number }[] = [];
  const start = (k: number) => { for (const t of s.ask(k)) { asked += t.epochs; running.push({ t, end: now + t.epochs }); } };
  const curve: [number, number][] = [];
  start(2);
  while (running.length) {
    running.sort((a, b) => a.end - b.end);
    const { t, end } = running.shift()!;
    now = end; spent += t.epochs;
    const v = valueAt(t.params, t.epochs) + noise * nr.normal();
    s.tell(t.id, { value: v });
    if (t.epochs === MAX) { full++; if (spent <= 540) fullAt540 = full; if (v < best) [best, bestTruth] = [v, fn.base.evaluate(t.params) - fn.base.minimum]; }
    curve.push([spent, bestTruth]);
    if (asked < 1080) start(1);
  }
  const r = at.map((e) => curve.reduce((acc, [x, v]) => (x <= e ? v : acc), Infinity));
  rows.push(r);
  if (!quiet) console.log(`seed ${String(seed).padStart(2)} full@540 ${fullAt540} total ${full}  ${r.map((v, i) => `${at[i]}: ${v.toExponential(1)}`).join('  ')}`);
}
const med = (a: number[]) => { const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const meds = at.map((_, i) => med(rows.map((r) => r[i])));
const reach = at.find((_, i) => meds[i] <= target);
console.log(`${process.env.LB_LABEL ?? ''} 540: ${meds[7].toPrecision(3)}  675: ${meds[9].toPrecision(3)}  1080: ${meds[15].toPrecision(3)}  reaches ${target}: ${reach === undefined ? 'never' : `${reach} (${((100 * reach) / 1080).toFixed(1)} %)`}`);
