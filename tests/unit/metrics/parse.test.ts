import { describe, expect, it } from 'vitest';
import { compileMetricRegex, DEFAULT_METRIC, finalMetric, MetricTracker } from '../../../src/lib/metrics';

describe('metric regexes', () => {
  it('reads the value from a matching line', () => {
    expect(finalMetric(['Epoch 1, Train loss=1.2345, Validation accuracy=0.4210, Images/s=1450'], DEFAULT_METRIC)).toBe(0.421);
  });

  it('gives undefined when no line matches', () => {
    expect(finalMetric(['Epoch 1, Train loss=1.2345', 'Final, Test accuracy=0.9'], DEFAULT_METRIC)).toBeUndefined();
  });

  it('lets the last of several matches win, across and within lines', () => {
    const lines = ['Epoch 1, Validation accuracy=0.30', 'noise', 'Epoch 2, Validation accuracy=0.55', 'Epoch 3, Validation accuracy=0.50 Validation accuracy=0.61'];
    expect(finalMetric(lines, DEFAULT_METRIC)).toBe(0.61);
    const tracker = new MetricTracker([DEFAULT_METRIC, { name: 'loss', regex: 'loss=([0-9.]+)' }]);
    for (const line of lines) tracker.push(line);
    expect(tracker.values(DEFAULT_METRIC.name)).toEqual([0.3, 0.55, 0.5, 0.61]);
    expect(tracker.values('loss')).toEqual([]);
  });

  it('skips captures that are not numbers', () => {
    expect(finalMetric(['acc=0.5', 'acc=...'], { name: 'acc', regex: 'acc=([0-9.]+)' })).toBe(0.5);
  });

  it('refuses regexes that do not compile or capture nothing', () => {
    expect(compileMetricRegex('accuracy=([0-9.]+')).toEqual({ error: expect.stringContaining('does not compile') });
    expect(compileMetricRegex('accuracy=[0-9.]+')).toEqual({ error: expect.stringContaining('capture group') });
    expect(compileMetricRegex('accuracy=(?:[0-9.]+)')).toEqual({ error: expect.stringContaining('capture group') });
    expect(compileMetricRegex('')).toEqual({ error: 'Enter a regex.' });
    expect(() => new MetricTracker([{ name: 'x', regex: '(' }])).toThrow(/Metric "x"/);
  });
});
