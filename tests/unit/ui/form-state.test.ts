import { describe, expect, it } from 'vitest';
import { JobForm } from '../../../src/ui/state/form.svelte';

describe('the typed training panel', () => {
  it("shows each model's recipe value as the default, and the data set's validation size", () => {
    const form = new JobForm();
    expect(form.model).toBe('tiny-cnn');
    expect(form.value('batch_size')).toBe('16');
    expect(form.value('tta')).toBe('none');
    form.applyPreset('sagemaker-cifar10');
    expect(form.model).toBe('resnet18');
    expect([form.value('batch_size'), form.value('width'), form.value('val_size'), form.value('crop_pad')]).toEqual(['512', '1', '5000', '4']);
    expect(form.searched('lr')).toBe(true);
    form.applyPreset('airbench');
    expect([form.value('batch_size'), form.value('epochs'), form.value('bn_bias_lr')]).toEqual(['1024', '9.9', '64']);
  });

  it("resets a preset's values and keeps the user's own when the model changes, and says which", () => {
    const form = new JobForm();
    form.set('lr_end_factor', '0.05');
    form.setModel('resnet9');
    // Quick demo's width 4 and batch 16 were the preset's, not the user's: they follow resnet9.
    expect([form.value('width'), form.value('batch_size'), form.value('lr_end_factor')]).toEqual(['1', '512', '0.05']);
    expect(form.modelNotice).toBe('Kept your lr_end_factor = 0.05; everything else follows the resnet9 recipe.');
    expect(form.result.job.fixed).toEqual({ model: 'resnet9', data: 'synthetic', lr_end_factor: 0.05 });
    form.reset('lr_end_factor');
    expect(form.isSet('lr_end_factor')).toBe(false);
    expect(form.value('lr_end_factor')).toBe('0');
  });

  it('switches a hyperparameter between fixed and searched', () => {
    const form = new JobForm();
    form.search('weight_decay');
    expect(form.searched('weight_decay')).toBe(true);
    expect(form.result.job.parameters.weight_decay).toEqual({ type: 'continuous', min: 0.0005, max: 0.02, scale: 'log' });
    form.search('batch_size');
    expect(form.result.job.parameters.batch_size).toEqual({ type: 'integer', min: 8, max: 32, scale: 'auto' });
    form.search('tta');
    expect(form.result.job.parameters.tta).toEqual({ type: 'categorical', values: ['none', 'flip', 'flip-translate'] });
    expect(form.valid).toBe(true);
    form.fix('batch_size');
    expect(form.result.job.parameters.batch_size).toBeUndefined();
    expect(form.result.job.fixed.batch_size).toBe(16);
  });
});
