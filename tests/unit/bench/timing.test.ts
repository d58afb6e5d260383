import { describe, expect, it } from 'vitest';
import { interleave, interleaveOrder, median } from '../../../bench/train/timing';

describe('bench timing', () => {
  it('takes medians of odd and even counts without reordering its input', () => {
    const values = [30, 10, 20];
    expect(median(values)).toBe(20);
    expect(values).toEqual([30, 10, 20]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(() => median([])).toThrow();
  });

  it('interleaves blocks round by round and returns each block its own times', async () => {
    const calls: string[] = [];
    const block = (name: string, ms: number[]) => {
      let i = 0;
      return async () => {
        calls.push(name);
        return ms[i++];
      };
    };
    const times = await interleave([block('A', [1, 2, 3]), block('B', [10, 20, 30]), block('C', [5, 5, 5])], 3);
    expect(calls.join('')).toBe('ABCABCABC');
    expect(times).toEqual([[1, 2, 3], [10, 20, 30], [5, 5, 5]]);
    expect(interleaveOrder(3, 2)).toEqual([0, 1, 2, 0, 1, 2]);
  });
});
