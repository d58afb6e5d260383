import { describe, expect, it } from 'vitest';
import {
  DEFAULT_METRIC,
  formatEpochLine,
  formatFinalLine,
  formatHyperparametersLine,
  metricValuesInLine,
  parseEngineLine,
} from '../../../src/lib/metrics';

describe("the engine's log lines", () => {
  it('reads back an epoch line as written, with the values rounded as printed', () => {
    const line = formatEpochLine({ epoch: 3, trainLoss: 1.234567, valAccuracy: 0.81234, imagesPerSecond: 1450.06 });
    expect(line).toBe('Epoch 3, Train loss=1.2346, Validation accuracy=0.8123, Images/s=1450.1');
    expect(parseEngineLine(line)).toEqual({ kind: 'epoch', epoch: 3, trainLoss: 1.2346, valAccuracy: 0.8123, imagesPerSecond: 1450.1 });
  });

  it('reads back the final line', () => {
    const line = formatFinalLine({ testAccuracy: 0.94123, seconds: 187.34 });
    expect(line).toBe('Final, Test accuracy=0.9412, Seconds=187.3');
    expect(parseEngineLine(line)).toEqual({ kind: 'final', testAccuracy: 0.9412, seconds: 187.3 });
  });

  it('writes the hyperparameters as JSON after a fixed prefix, recipe version first, and reads them back', () => {
    const line = formatHyperparametersLine(1, { model: 'tiny-cnn', lr: 0.05, width: 0.03125, ema: false, tta: 'flip' });
    expect(line).toBe('Hyperparameters {"recipe":1,"model":"tiny-cnn","lr":0.05,"width":0.03125,"ema":false,"tta":"flip"}');
    expect(parseEngineLine(line)).toEqual({ kind: 'config', recipeVersion: 1, hyperparameters: { model: 'tiny-cnn', lr: 0.05, width: 0.03125, ema: false, tta: 'flip' } });
    expect(() => formatHyperparametersLine(1, { recipe: 2 })).toThrow(/recipe version/);
  });

  it('is not matched by the default objective regex, nor by regexes written for the = lines', () => {
    const line = formatHyperparametersLine(1, { model: 'tiny-cnn', lr: 0.05, label_smoothing: 0.1, val_size: 256 });
    const regex = new RegExp(DEFAULT_METRIC.regex);
    expect(metricValuesInLine(line, regex)).toEqual([]);
    for (const source of ['Train loss=([0-9.]+)', 'loss=([0-9.]+)', 'accuracy=([0-9.]+)', 'lr=([0-9.]+)', 'Test accuracy=([0-9\\.]+)']) {
      expect(metricValuesInLine(line, new RegExp(source)), source).toEqual([]);
    }
  });

  it('parses nothing else', () => {
    const notEngineLines = [
      '',
      'No validation split (val_size=0): Validation accuracy is measured on the test set.',
      'Stopped at step 2 of 4',
      // What fakes and users print: near the convention, but not the engine's line.
      'Epoch 1, Validation accuracy=0.5',
      'Epoch 1, Train loss=1.2, Validation accuracy=0.5',
      'Epoch 1, Train loss=1.2345, Validation accuracy=0.4210, Images/s=1450.0 extra',
      ' Epoch 1, Train loss=1.2345, Validation accuracy=0.4210, Images/s=1450.0',
      'Epoch x, Train loss=1.2345, Validation accuracy=0.4210, Images/s=1450.0',
      'Epoch 1, Train loss=NaN, Validation accuracy=0.4210, Images/s=1450.0',
      'Epoch 1, Train loss=-1.0000, Validation accuracy=0.4210, Images/s=1450.0',
      'Epoch 1, Train loss=1.2345, Validation accuracy=0.4210, Images/s=Infinity',
      'Final, Test accuracy=0.9412',
      'Final, Test accuracy=0.9412, Seconds=12.3, more',
      'Images/s=1450.0 (mean over epochs 2-3), training seconds=12.3',
      'Hyperparameters',
      'Hyperparameters {"recipe":1,"lr":0.05',
      'Hyperparameters {"lr":0.05}',
      'Hyperparameters {"recipe":"1","lr":0.05}',
      'Hyperparameters {"recipe":1.5,"lr":0.05}',
      'Hyperparameters {"recipe":0,"lr":0.05}',
      'Hyperparameters [1,2]',
      'Hyperparameters null',
      'Hyperparameters {"recipe":1,"lr":null}',
      'Hyperparameters {"recipe":1,"lr":[0.05]}',
      'Hyperparameters {"recipe":1,"lr":{"min":0.05}}',
      'hyperparameters {"recipe":1,"lr":0.05}',
    ];
    for (const line of notEngineLines) expect(parseEngineLine(line), line).toBeUndefined();
  });
});
