/** Aggregates one step's kernel timings into a ranking. Pure. */

export interface KernelTime {
  name: string;
  ms: number;
}

export interface RankedKernel {
  name: string;
  count: number;
  totalMs: number;
  /** Share of the step's summed kernel time, in percent. */
  percent: number;
}

/** Kernels grouped by name, by total time (then by name), each with its count and share. */
export function rankKernels(kernels: KernelTime[]): RankedKernel[] {
  const byName = new Map<string, { count: number; totalMs: number }>();
  for (const k of kernels) {
    const entry = byName.get(k.name) ?? { count: 0, totalMs: 0 };
    entry.count++;
    entry.totalMs += k.ms;
    byName.set(k.name, entry);
  }
  const total = kernels.reduce((sum, k) => sum + k.ms, 0);
  return [...byName]
    .map(([name, { count, totalMs }]) => ({ name, count, totalMs, percent: total > 0 ? (100 * totalMs) / total : 0 }))
    .sort((a, b) => b.totalMs - a.totalMs || a.name.localeCompare(b.name));
}

/**
 * Per-dispatch durations from the times each dispatch's submission was seen done (the wall-clock
 * fallback when timestamp queries read 0): the queue runs in order, so each dispatch took from the
 * previous completion (or the start) to its own.
 */
export function durationsFromCompletions(start: number, completions: number[]): number[] {
  return completions.map((t, i) => Math.max(0, t - (i === 0 ? start : completions[i - 1])));
}

export function formatRanking(ranking: RankedKernel[], top: number): string {
  const rows = ranking.slice(0, top).map((k, i) => [String(i + 1), k.name, String(k.count), k.totalMs.toFixed(2), k.percent.toFixed(1)]);
  const header = ['#', 'kernel', 'count', 'total ms', '%'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows].map((cells) => cells.map((c, i) => (i === 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
}

/**
 * A WebGPU program's name for the per-program rankings: tfjs's programs by class; the engine's own
 * are object literals, so by their shader key (or, for the multi-output ones, their pipeline's
 * label) without the `tabtune_` prefix and without the tile and binding details that follow, so
 * that every layer's instance of one kernel ranks as one.
 */
export function programName(program: { constructor?: { name?: string }; shaderKey?: string; pipeline?: { label?: string } }): string {
  const className = program.constructor?.name;
  if (className && className !== 'Object') return className;
  const key = program.shaderKey ?? program.pipeline?.label;
  if (!key) return 'Object';
  const multiOutput = key.startsWith('tabtune_update_');
  let tokens = key.replace(/^tabtune_(update_)?/, '').split('_');
  // A multi-output key ends in its bindings' scalar types and in-place flags (update-program.ts).
  if (multiOutput) tokens = tokens.slice(0, -2);
  const firstDetail = tokens.findIndex((t) => /^\d/.test(t));
  return (firstDetail < 0 ? tokens : tokens.slice(0, firstDetail)).join('_') || key;
}
