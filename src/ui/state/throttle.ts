export interface Throttled<T> {
  /** Takes the latest value: written now if the last write is `intervalMs` old, else once it is. */
  push(value: T): void;
  /** Drops a value waiting to be written. */
  cancel(): void;
}

/**
 * At most one write per `intervalMs`, and always the latest value: the first change writes at once,
 * changes within the interval after a write are gathered into one write at its end.
 */
export function throttle<T>(write: (value: T) => void, intervalMs: number, now: () => number = () => Date.now()): Throttled<T> {
  let last = -Infinity;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let latest: T;
  const flush = () => {
    timer = undefined;
    last = now();
    write(latest);
  };
  return {
    push(value) {
      latest = value;
      if (timer !== undefined) return;
      const wait = last + intervalMs - now();
      if (wait <= 0) flush();
      else timer = setTimeout(flush, wait);
    },
    cancel() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
