import { describe, expect, it } from 'vitest';
import { HYPERPARAMETERS } from '../../../src/lib/recipe/hyperparameters';
import { editDistance, suggestName } from '../../../src/lib/recipe/names';

const ENGINE = HYPERPARAMETERS.map((spec) => spec.name);

describe('suggestName', () => {
  it('maps the common other names to the engine hyperparameter', () => {
    const cases: Record<string, string> = {
      learning_rate: 'lr',
      'learning-rate': 'lr',
      eta: 'lr',
      mom: 'momentum',
      opt: 'optimizer',
      wd: 'weight_decay',
      'weight-decay': 'weight_decay',
      bs: 'batch_size',
      mini_batch_size: 'batch_size',
      num_epochs: 'epochs',
    };
    for (const [given, meant] of Object.entries(cases)) expect(suggestName(given, ENGINE), given).toBe(meant);
  });

  it('catches other spellings and typos of a known name', () => {
    expect(suggestName('Batch-Size', ENGINE)).toBe('batch_size');
    expect(suggestName('widht', ENGINE)).toBe('width');
    expect(suggestName('momentun', ENGINE)).toBe('momentum');
    expect(suggestName('label_smothing', ENGINE)).toBe('label_smoothing');
  });

  it('suggests nothing for a name that is not close to any', () => {
    expect(suggestName('dropout_rate', ENGINE)).toBeUndefined();
    expect(suggestName('xyz', ENGINE)).toBeUndefined();
    expect(suggestName('  ', ENGINE)).toBeUndefined();
    // An alias whose target is not among the known names is not offered.
    expect(suggestName('learning_rate', ['momentum'])).toBeUndefined();
  });

  it('counts an adjacent transposition as one edit', () => {
    expect(editDistance('width', 'widht')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});
