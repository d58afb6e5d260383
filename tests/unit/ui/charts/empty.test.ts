import { describe, expect, it } from 'vitest';
import { noCurvesNote, noValuesNote } from '../../../../src/ui/charts/empty';
import { epochs, trial } from '../trials';

describe('noValuesNote', () => {
  it('is undefined once the chart has a mark', () => {
    expect(noValuesNote([trial(1, { objective: 0.5 }), trial(2, { status: 'failed' })], 'acc', 1)).toBeUndefined();
  });

  it('says no trial has finished while they run or wait', () => {
    const trials = [trial(1, { status: 'running' }), trial(2, { status: 'pending' })];
    expect(noValuesNote(trials, 'acc', 0)).toBe('No trial has finished yet.');
    expect(noValuesNote([], 'acc', 0)).toBe('No trial has finished yet.');
  });

  it('names how the finished trials ended when none has a value', () => {
    const trials = [trial(1, { status: 'failed' }), trial(2, { status: 'stopped' }), trial(3, { status: 'failed' }), trial(4, { status: 'running' })];
    expect(noValuesNote(trials, 'Validation-accuracy', 0)).toBe('No finished trial has a Validation-accuracy value (2 failed, 1 stopped).');
  });
});

describe('noCurvesNote', () => {
  it('is undefined once a curve is drawn', () => {
    expect(noCurvesNote([trial(1, { epochs: epochs(0.3) })], 1)).toBeUndefined();
  });

  it('says "yet" while a trial may still finish an epoch', () => {
    expect(noCurvesNote([trial(1, { status: 'failed' }), trial(2, { status: 'running' })], 0)).toBe('No trial has finished an epoch yet.');
  });

  it('names how the trials ended when all ended without an epoch', () => {
    expect(noCurvesNote([trial(1, { status: 'failed' }), trial(2, { status: 'failed' })], 0)).toBe('No trial finished an epoch (2 failed).');
  });
});
