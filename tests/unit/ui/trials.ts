import type { Trial } from '../../../src/lib/job';

/** A trial with just what a test sets; the rest empty. */
export function trial(number: number, fields: Partial<Trial> = {}): Trial {
  return { id: `t${number}`, number, seed: number, params: {}, status: 'completed', createdAt: 0, metrics: {}, epochs: [], logs: [], ...fields };
}

export const epochs = (...values: number[]) => values.map((valAccuracy, i) => ({ epoch: i + 1, trainLoss: 1, valAccuracy, imagesPerSecond: 100 }));
