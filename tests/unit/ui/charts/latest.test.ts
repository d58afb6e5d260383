import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LatestRequest } from '../../../../src/ui/charts/latest';

describe('LatestRequest', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('debounces, keeps one request in flight, and asks once more with the latest inputs', async () => {
    const asked: number[] = [];
    const answered: number[] = [];
    const resolvers: (() => void)[] = [];
    const latest = new LatestRequest<number, number>(
      (n) => {
        asked.push(n);
        return new Promise((resolve) => resolvers.push(() => resolve(n * 10)));
      },
      (value) => answered.push(value),
      100,
    );
    latest.request(1);
    latest.request(2);
    await vi.advanceTimersByTimeAsync(100);
    expect(asked).toEqual([2]);
    latest.request(3);
    await vi.advanceTimersByTimeAsync(100);
    latest.request(4);
    await vi.advanceTimersByTimeAsync(100);
    expect(asked).toEqual([2]); // still in flight
    resolvers[0]();
    await vi.advanceTimersByTimeAsync(0);
    expect(answered).toEqual([20]);
    expect(asked).toEqual([2, 4]);
    resolvers[1]();
    await vi.advanceTimersByTimeAsync(0);
    expect(answered).toEqual([20, 40]);
    expect(latest.pending).toBe(false);
  });

  it('answers nothing after dispose', async () => {
    const answered: number[] = [];
    const latest = new LatestRequest<number, number>(async (n) => n, (v) => answered.push(v), 10);
    latest.request(1);
    await vi.advanceTimersByTimeAsync(10);
    latest.request(2);
    latest.dispose();
    await vi.advanceTimersByTimeAsync(50);
    expect(answered).toEqual([1]);
  });
});
