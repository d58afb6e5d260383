/** Interleaved repetitions and their medians: the timing discipline of the training benchmarks. Pure. */

export function median(values: number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** One timed unit of work: resolves to its duration in ms (measured by the callee, after a readback). */
export type TimedBlock = () => Promise<number>;

/**
 * Runs `repetitions` rounds, each running every block once in the given order (A, B, C, A, B, C, …),
 * so that drift in the machine (thermal, other load) hits every engine alike. Returns each block's
 * durations, in rounds.
 */
export async function interleave(blocks: TimedBlock[], repetitions: number): Promise<number[][]> {
  const times = blocks.map(() => [] as number[]);
  for (let r = 0; r < repetitions; r++) {
    for (let b = 0; b < blocks.length; b++) times[b].push(await blocks[b]());
  }
  return times;
}

/** The order interleave runs blocks in, for a plan or a test: block indices, round by round. */
export function interleaveOrder(blockCount: number, repetitions: number): number[] {
  return Array.from({ length: blockCount * repetitions }, (_, i) => i % blockCount);
}
