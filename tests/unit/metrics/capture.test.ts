import { describe, expect, it } from 'vitest';
import { captureMetrics, DEFAULT_METRIC } from '../../../src/lib/metrics';

describe('captureMetrics', () => {
  const lines = ['Epoch 3, Train loss=1.2345, Validation accuracy=0.4120, Images/s=12.5', 'Final, Test accuracy=0.4012, Seconds=3.1'];

  it('reads each definition on its own, keeping the numbers as written', () => {
    const captured = captureMetrics([DEFAULT_METRIC, { name: 'loss', regex: 'Train loss=([0-9.]+)' }, { name: 'test', regex: 'Test accuracy=([0-9.]+)' }], lines);
    expect(captured).toEqual([
      { name: 'Validation-accuracy', captures: ['0.4120'] },
      { name: 'loss', captures: ['1.2345'] },
      { name: 'test', captures: ['0.4012'] },
    ]);
  });

  it('says that a regex with a typo matched nothing, and why a broken one cannot read, without hiding the others', () => {
    const captured = captureMetrics(
      [{ name: 'typo', regex: 'Validaton accuracy=([0-9.]+)' }, { name: 'broken', regex: 'accuracy=([0-9.]+' }, DEFAULT_METRIC],
      lines,
    );
    expect(captured[0]).toEqual({ name: 'typo', captures: [] });
    expect(captured[1].error).toMatch(/does not compile/);
    expect(captured[2].captures).toEqual(['0.4120']);
  });
});
