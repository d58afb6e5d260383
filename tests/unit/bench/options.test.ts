import { describe, expect, it } from 'vitest';
import { BenchUsageError, parseBenchArgs } from '../../../bench/train/options';

describe('bench:train options', () => {
  it('has defaults for everything', () => {
    expect(parseBenchArgs([])).toEqual({
      where: 'node', backend: 'webgpu', models: ['resnet9', 'airbench'], width: 0.125, batch: 32, steps: 5, repetitions: 3, warmup: 1,
      engines: ['custom', 'stock', 'tfjs-layers'], json: false,
    });
  });

  it('reads every flag', () => {
    const o = parseBenchArgs(['--where', 'chromium', '--models', 'tiny-cnn,resnet18', '--width=0.0625', '--batch', '8', '--steps', '6', '--engines', 'stock', '--json']);
    expect(o).toMatchObject({ where: 'chromium', models: ['tiny-cnn', 'resnet18'], width: 0.0625, batch: 8, steps: 6, engines: ['stock'], json: true });
  });

  it.each([
    [['--where', 'firefox'], /--where must be node or chromium; got firefox/],
    [['--backend', 'webgl'], /--backend must be webgpu or cpu; got webgl/],
    [['--models', 'resnet9,vgg'], /unknown model vgg/],
    [['--models', 'resnet9,,airbench'], /without empty items/],
    [['--engines', 'stock,pytorch'], /unknown engine pytorch/],
    [['--width', '0'], /--width must be a number above 0/],
    [['--width', 'wide'], /--width must be a number above 0; got wide/],
    [['--batch', '2.5'], /--batch must be a whole number ≥ 1; got 2.5/],
    [['--steps', '0'], /--steps must be a whole number ≥ 1/],
    [['--warmup', '-1'], /--warmup must be a whole number ≥ 0/],
    [['--speed', '3'], /unknown option --speed/],
    [['--batch'], /--batch needs a value/],
    [['resnet9'], /unexpected argument "resnet9"/],
  ])('rejects %j with a clear message', (argv, message) => {
    expect(() => parseBenchArgs(argv)).toThrow(BenchUsageError);
    expect(() => parseBenchArgs(argv)).toThrow(message);
  });

  it('runs every engine by default, and only those asked for by name', () => {
    expect(parseBenchArgs([]).engines).toEqual(['custom', 'stock', 'tfjs-layers']);
    expect(parseBenchArgs(['--engines', 'custom,stock']).engines).toEqual(['custom', 'stock']);
  });
});
