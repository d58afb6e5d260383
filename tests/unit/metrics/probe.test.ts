import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { DEFAULT_METRIC, probeRegexes, REGEX_LIMIT_MS, sampleLines, SAMPLE_LINE_LENGTH, timeRegex, type RegexRunner } from '../../../src/lib/metrics';

const CATASTROPHIC = '(a+)+$';

/** A runner on a real thread, which the probe kills when a regex runs on. */
function threadRunner(log: string[]): () => Promise<RegexRunner> {
  return () =>
    new Promise((resolve, reject) => {
      const worker = new Worker(new URL('../data/formats/read-worker-boot.mjs', import.meta.url), { workerData: { entry: new URL('./probe-worker.ts', import.meta.url).href } });
      log.push('start');
      worker.once('error', reject);
      worker.once('message', () =>
        resolve({
          time: (source) =>
            new Promise((done) => {
              worker.once('message', done);
              worker.postMessage(source);
            }),
          kill: () => {
            log.push('kill');
            void worker.terminate();
          },
        }),
      );
    });
}

/** A runner whose answers the test sets: a time per regex, `hang` for one that never ends, `crash`. */
function fakeRunner(times: Record<string, number | 'hang' | 'crash'>, log: string[]): () => Promise<RegexRunner> {
  return async () => {
    log.push('start');
    let alive = true;
    return {
      time: (source) => {
        log.push(`time ${source}`);
        const answer = times[source] ?? 1;
        if (answer === 'hang') return new Promise(() => {});
        if (answer === 'crash' || !alive) return Promise.reject(new Error('the worker crashed'));
        return Promise.resolve(answer);
      },
      kill: () => {
        alive = false;
        log.push('kill');
      },
    };
  };
}

describe('regex probe', () => {
  it('builds 1 kB sample lines: the engine lines and a run of each character the regex names', () => {
    const lines = sampleLines(CATASTROPHIC);
    for (const line of lines) expect(line).toHaveLength(SAMPLE_LINE_LENGTH);
    expect(lines).toContain(`${'a'.repeat(SAMPLE_LINE_LENGTH - 1)}\u0007`);
    expect(lines[0]).toMatch(/^Epoch 1, Train loss=2\.1234, Validation accuracy=0\.0+\u0007$/);
    expect(sampleLines('(\\d+)+x')).toContain(`${'1'.repeat(SAMPLE_LINE_LENGTH - 1)}\u0007`);
  });

  it('times an ordinary regex in well under the limit, and a regex that does not compile as 0', () => {
    expect(timeRegex(DEFAULT_METRIC.regex, sampleLines(DEFAULT_METRIC.regex))).toBeLessThan(REGEX_LIMIT_MS);
    expect(timeRegex('a(b', sampleLines('a(b'))).toBe(0);
    let clock = 0;
    // The first line over the limit ends the timing.
    expect(timeRegex('(x)', ['x', 'x', 'x'], 50, () => (clock += 40))).toBe(40);
  });

  it('refuses a regex over the limit or without an answer by the deadline, kills that runner and starts another', async () => {
    const log: string[] = [];
    const refused = await probeRegexes(['ok=(1)', 'slow=(1)', 'hang=(1)', 'ok=(1)', 'after=(1)', 'a(b'], {
      start: fakeRunner({ 'slow=(1)': 80, 'hang=(1)': 'hang' }, log),
      deadlineMs: 30,
    });
    expect(Object.fromEntries(refused)).toEqual({
      'slow=(1)': expect.stringMatching(/^Refused: on a 1 kB sample line this regex took 80 ms \(the limit is 50 ms\)/),
      'hang=(1)': expect.stringMatching(/^Refused: on a 1 kB sample line this regex ran on without end/),
    });
    // Each distinct regex once; the one that does not compile is left to validation.
    expect(log).toEqual(['start', 'time ok=(1)', 'time slow=(1)', 'time hang=(1)', 'kill', 'start', 'time after=(1)', 'kill']);
  });

  it('does not trust a regex it could not check', async () => {
    const refused = await probeRegexes(['x=(1)'], { start: fakeRunner({ 'x=(1)': 'crash' }, []) });
    expect(refused.get('x=(1)')).toBe('This regex could not be checked (the worker crashed), so it is not used.');
    const never = await probeRegexes(['x=(1)'], { start: () => new Promise(() => {}), startMs: 20 });
    expect(never.get('x=(1)')).toContain('the checking worker did not start');
  });

  it(`kills a thread stuck on ${CATASTROPHIC} after the deadline and passes the default metric`, async () => {
    const log: string[] = [];
    const started = performance.now();
    const refused = await probeRegexes([CATASTROPHIC, DEFAULT_METRIC.regex, 'loss=([0-9.]+)'], { start: threadRunner(log), deadlineMs: 1000 });
    expect([...refused.keys()]).toEqual([CATASTROPHIC]);
    expect(refused.get(CATASTROPHIC)).toMatch(/^Refused: on a 1 kB sample line this regex (ran on without end|took \d+ ms)/);
    expect(log).toEqual(['start', 'kill', 'start', 'kill']);
    expect(performance.now() - started).toBeLessThan(20_000);
  });
});
