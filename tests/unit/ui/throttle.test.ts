import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { throttle } from '../../../src/ui/state/throttle';

describe('throttle', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it('writes the first value at once, then at most once per interval, always the latest', () => {
    const writes: [number, string][] = [];
    const t = throttle((value: string) => writes.push([Date.now(), value]), 300);
    // A user typing a character every 50 ms for 1 s.
    for (let i = 0; i < 20; i++) {
      t.push(`v${i}`);
      vi.advanceTimersByTime(50);
    }
    vi.advanceTimersByTime(1000);
    expect(writes[0]).toEqual([0, 'v0']);
    for (let i = 1; i < writes.length; i++) expect(writes[i][0] - writes[i - 1][0]).toBeGreaterThanOrEqual(300);
    expect(writes.at(-1)![1]).toBe('v19');
    expect(writes.length).toBeLessThanOrEqual(5);
  });

  it('writes a lone change at once after a quiet interval, and cancel drops a waiting one', () => {
    const writes: string[] = [];
    const t = throttle((value: string) => writes.push(value), 300);
    t.push('a');
    vi.advanceTimersByTime(1000);
    t.push('b');
    expect(writes).toEqual(['a', 'b']);
    t.push('c');
    t.cancel();
    vi.advanceTimersByTime(1000);
    expect(writes).toEqual(['a', 'b']);
  });
});
