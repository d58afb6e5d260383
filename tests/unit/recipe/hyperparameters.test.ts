import { describe, expect, it } from 'vitest';
import { readTrainConfig, resolvedHyperparameters } from '../../../src/lib/recipe/hyperparameters';

describe('readTrainConfig', () => {
  it('keeps the tiny defaults the page relies on', () => {
    const c = readTrainConfig({});
    expect(c).toMatchObject({ model: 'tiny-cnn', data: 'synthetic', trainSize: 512, valSize: 256, testSize: 256, batchSize: 32, width: 8, epochs: 1, tta: 'none', ema: false, cropPad: 0, flip: 'none', fault: 'none' });
  });

  it("gives each model its source's recipe, which explicit values override", () => {
    expect(readTrainConfig({ model: 'airbench', data: 'cifar10' })).toMatchObject({ batchSize: 1024, epochs: 9.9, lr: 1.5, momentum: 0.85, bnBiasLr: 64, flip: 'alternating', cropPad: 2, tta: 'flip-translate', width: 1, warmup: 0.23, lrStartFactor: 0.2, lrEndFactor: 0.07, labelSmoothing: 0.2 });
    expect(readTrainConfig({ model: 'resnet9', train_size: 1024 })).toMatchObject({ batchSize: 512, epochs: 24, lr: 0.4, cropPad: 4, cutout: 8, flip: 'random', tta: 'flip' });
    expect(readTrainConfig({ model: 'resnet9', train_size: 64, batch_size: 16, lr: '0.2', ema: 'true', tta: 'none' })).toMatchObject({ batchSize: 16, lr: 0.2, ema: true, tta: 'none' });
    expect(readTrainConfig({ ema: true }).ema).toBe(true);
  });

  it('refuses out-of-range hyperparameters with a clear reason', () => {
    expect(() => readTrainConfig({ lr: -0.1 })).toThrow('lr must be above 0; got -0.1.');
    expect(() => readTrainConfig({ train_size: 32, batch_size: 64 })).toThrow('batch_size (64) is larger than the training set (32 images).');
    expect(() => readTrainConfig({ model: 'resnet9000' })).toThrow('model must be one of tiny-cnn, resnet9, airbench, resnet18; got resnet9000.');
    expect(() => readTrainConfig({ momentum: 1 })).toThrow('momentum must be in [0, 1); got 1.');
    expect(() => readTrainConfig({ momentum: 0.8, momentum_cycle: 0.9 })).toThrow('momentum_cycle must be in [0, momentum]; got 0.9.');
    expect(() => readTrainConfig({ width: 2.5 })).toThrow(/^width must be above 0 \(a whole number for tiny-cnn\)/);
    expect(() => readTrainConfig({ model: 'resnet9', width: 0 })).toThrow(/^width must be above 0/);
    expect(() => readTrainConfig({ batch_size: 1.5 })).toThrow('batch_size must be a whole number ≥ 1; got 1.5.');
    expect(() => readTrainConfig({ tta: 'rotate' })).toThrow('tta must be one of none, flip, flip-translate; got rotate.');
    expect(() => readTrainConfig({ ema: 'maybe' })).toThrow('ema must be true or false; got maybe.');
    expect(() => readTrainConfig({ lr: 'fast' })).toThrow('lr must be above 0; got fast.');
    expect(() => readTrainConfig({ crop_pad: 40 })).toThrow(/^crop_pad must be a whole number in \[0, 16\]/);
  });
});

describe('resolvedHyperparameters', () => {
  it('names every value by its snake_case name as readTrainConfig resolved it, without the fault knob', () => {
    const resolved = resolvedHyperparameters(readTrainConfig({ model: 'airbench', data: 'cifar10', fault: 'crash', lr: '2' }));
    expect(resolved).toMatchObject({ model: 'airbench', data: 'cifar10', lr: 2, batch_size: 1024, val_size: 5000, train_size: 0, test_size: 0, bn_bias_lr: 64, lr_end_factor: 0.07, flip: 'alternating' });
    expect(resolved).not.toHaveProperty('fault');
    expect(Object.keys(resolved)).not.toContain('batchSize');
  });
});
