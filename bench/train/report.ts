/** The benchmark's rows, the backend check and the ratios it prints. Pure. */
import type { EngineName, Where } from './options';

export interface BenchRow {
  engine: EngineName;
  model: string;
  /** The backend asked for. */
  requested: string;
  /** As tf.getBackend() reported it while the row ran. */
  backend: string;
  adapter: string;
  where: Where;
  width: number;
  batch: number;
  steps: number;
  repetitions: number;
  params: number;
  /** Median over repetitions of the mean step time within a repetition. */
  msPerStep: number;
  imagesPerSec: number;
  /** Each repetition's ms per step, in order. */
  samples: number[];
}

/** A row must have run on the backend it asked for; tfjs falls back silently, so this is checked. */
export function backendMismatch(row: Pick<BenchRow, 'engine' | 'model' | 'requested' | 'backend' | 'where'>): string | undefined {
  if (row.backend === row.requested) return undefined;
  return `${row.engine} ${row.model} in ${row.where} asked for the ${row.requested} backend but ran on ${row.backend || 'none'}: not a valid measurement.`;
}

/** A row's label in the ratio lines: `stock webgpu`. */
export function label(row: Pick<BenchRow, 'engine' | 'requested'>): string {
  return `${row.engine} ${row.requested}`;
}

/**
 * Speed ratios (images/s of the first over the second, so above 1 means faster) of each engine
 * against tfjs-layers per model: stock / tfjs-layers webgpu, stock / tfjs-layers webgl, and so on.
 */
export function ratios(rows: BenchRow[]): { model: string; of: string; over: string; ratio: number }[] {
  const out: { model: string; of: string; over: string; ratio: number }[] = [];
  for (const model of [...new Set(rows.map((r) => r.model))]) {
    const ofModel = rows.filter((r) => r.model === model);
    const baselines = ofModel.filter((r) => r.engine === 'tfjs-layers');
    for (const row of ofModel.filter((r) => r.engine !== 'tfjs-layers')) {
      for (const base of baselines) out.push({ model, of: label(row), over: label(base), ratio: row.imagesPerSec / base.imagesPerSec });
    }
  }
  return out;
}

export function formatTable(rows: BenchRow[]): string {
  const header = ['model', 'engine', 'backend', 'where', 'params', 'ms/step', 'images/s', 'reps (ms/step)'];
  const body = rows.map((r) => [r.model, r.engine, r.backend, r.where, String(r.params), r.msPerStep.toFixed(0), r.imagesPerSec.toFixed(2), r.samples.map((s) => s.toFixed(0)).join(' ')]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  return [header, ...body].map((cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

/** The JSON line of a row, with the fields the issue asks for first. */
export function jsonLine(row: BenchRow): string {
  const { engine, model, backend, adapter, where, width, batch, msPerStep, imagesPerSec, ...rest } = row;
  return JSON.stringify({ engine, model, backend, adapter, where, width, batch, msPerStep, imagesPerSec, ...rest });
}
