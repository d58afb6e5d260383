import { describe, expect, it } from 'vitest';
import { backendMismatch, jsonLine, ratios, type BenchRow } from '../../../bench/train/report';

const row = (engine: BenchRow['engine'], requested: string, imagesPerSec: number, backend = requested): BenchRow => ({
  engine, model: 'resnet9', requested, backend, adapter: 'google swiftshader', where: 'chromium', width: 0.125, batch: 32,
  steps: 5, repetitions: 3, params: 100, msPerStep: 32_000 / imagesPerSec, imagesPerSec, samples: [1, 2, 3],
});

describe('bench report', () => {
  it('flags a row that ran on another backend than the one asked for', () => {
    expect(backendMismatch(row('stock', 'webgpu', 1))).toBeUndefined();
    expect(backendMismatch(row('tfjs-layers', 'webgpu', 1, 'cpu'))).toBe('tfjs-layers resnet9 in chromium asked for the webgpu backend but ran on cpu: not a valid measurement.');
    expect(backendMismatch(row('stock', 'webgl', 1, ''))).toMatch(/ran on none/);
  });

  it('gives each engine its speed ratio over each tfjs-layers row of the same model', () => {
    const rows = [row('stock', 'webgpu', 6), row('tfjs-layers', 'webgpu', 3), row('tfjs-layers', 'webgl', 12)];
    expect(ratios(rows)).toEqual([
      { model: 'resnet9', of: 'stock webgpu', over: 'tfjs-layers webgpu', ratio: 2 },
      { model: 'resnet9', of: 'stock webgpu', over: 'tfjs-layers webgl', ratio: 0.5 },
    ]);
  });

  it('prints the required fields first in each JSON line', () => {
    expect(Object.keys(JSON.parse(jsonLine(row('stock', 'webgpu', 6)))).slice(0, 9)).toEqual(['engine', 'model', 'backend', 'adapter', 'where', 'width', 'batch', 'msPerStep', 'imagesPerSec']);
  });
});
