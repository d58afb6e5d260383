/**
 * The dashboard benchmark's probe (`npm run bench:dashboard`): with `?bench` in the URL each chart's
 * redraw is recorded as a `redraw:<chart>` performance measure. Off otherwise, so a long job does
 * not fill the performance timeline.
 */
const recording = typeof location !== 'undefined' && new URLSearchParams(location.search).has('bench');

export function timedRedraw(chart: string, draw: () => void): void {
  if (!recording) return draw();
  const start = performance.now();
  try {
    draw();
  } finally {
    performance.measure(`redraw:${chart}`, { start, end: performance.now() });
  }
}
