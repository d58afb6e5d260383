import { HYPERPARAMETER_NAMES, hyperparameterSpec, resolveTrainConfig, type HyperparameterError, type RawHyperparameters } from '../recipe/hyperparameters';
import { suggestName } from '../recipe/names';
import type { CategoryValue, FieldError, Parameter, SearchSpace } from '../space';

/** Why a name is not a training hyperparameter, with the nearest known one when there is one. */
export function unknownNameMessage(name: string): string {
  const suggestion = suggestName(name, HYPERPARAMETER_NAMES);
  return `"${name}" is not a training hyperparameter${suggestion ? `; did you mean ${suggestion}?` : ' (see the Recipe list).'}`;
}

/** The values a searched parameter can take at its extremes: both ends of a range, every category. */
function probes(parameter: Parameter): { field: string; value: CategoryValue }[] {
  if (parameter.type === 'categorical') return parameter.values.map((value) => ({ field: 'values', value }));
  return [
    { field: 'min', value: parameter.min },
    { field: 'max', value: parameter.max },
  ];
}

/** A searched parameter whose type cannot give the engine the kind of value it wants. */
function kindMismatch(name: string, parameter: Parameter): string | undefined {
  const spec = hyperparameterSpec(name)!;
  if ((spec.kind === 'choice' || spec.kind === 'boolean') && parameter.type !== 'categorical') {
    const values = spec.kind === 'boolean' ? 'true, false' : spec.choices!.join(', ');
    return `${name} takes one of ${values}: search it as categorical.`;
  }
  if (spec.kind === 'integer' && parameter.type === 'continuous') return `${name} takes whole numbers: search it as an integer.`;
  return undefined;
}

const key = (error: HyperparameterError) => `${error.name}\u0000${error.message}`;

/**
 * Checks the training side of a job by the engine's own rules (`recipe/hyperparameters.ts`), so
 * that no trial can fail validation: every fixed and searched name must be an engine
 * hyperparameter, every fixed value must meet its rule, and every searched parameter must meet
 * it at both ends of its range (each category, for a categorical), with the other values fixed
 * or at their defaults. Paths are `fixed.<name>` and `parameters.<name>[.<field>]`.
 */
export function checkTraining(fixed: RawHyperparameters, space: SearchSpace): FieldError[] {
  const errors: FieldError[] = [];
  const knownFixed: RawHyperparameters = {};
  for (const [name, value] of Object.entries(fixed)) {
    if (hyperparameterSpec(name)) knownFixed[name] = value;
    else errors.push({ path: `fixed.${name}`, message: unknownNameMessage(name) });
  }
  const baseline = resolveTrainConfig(knownFixed).errors;
  for (const error of baseline) errors.push({ path: `fixed.${error.name}`, message: error.message });
  const known = new Set(baseline.map(key));

  for (const [name, parameter] of Object.entries(space)) {
    if (!hyperparameterSpec(name)) {
      errors.push({ path: `parameters.${name}`, message: unknownNameMessage(name) });
      continue;
    }
    const mismatch = kindMismatch(name, parameter);
    if (mismatch) {
      errors.push({ path: `parameters.${name}.type`, message: mismatch });
      continue;
    }
    const reported = new Set<string>();
    for (const { field, value } of probes(parameter)) {
      const fresh = resolveTrainConfig({ ...knownFixed, [name]: value }).errors.filter((error) => !known.has(key(error)));
      for (const error of fresh) {
        // A rule another value breaks only at this end (batch_size above train_size) belongs to this end too.
        const message = error.name === name ? error.message : `At ${name} = ${String(value)}: ${error.message}`;
        if (reported.has(field + message)) continue;
        reported.add(field + message);
        errors.push({ path: `parameters.${name}.${field}`, message });
      }
    }
  }
  return errors;
}

/** What the page says beside Validation size when a CIFAR-10 job may tune on the test set. */
export const TEST_SET_TUNING_WARNING =
  'With val_size 0 there is no validation split: every trial trains on all 50,000 images and its Validation accuracy is measured on the test set, so this job tunes on the test set. Fine for a time-to-94% run; to choose hyperparameters, hold out a validation split.';

/**
 * Warnings, not errors: the job is valid and may be tuned, but the page should say what it means.
 * Today one: a CIFAR-10 job whose val_size is 0, fixed or at an end of its searched range, reports
 * the test set as its validation accuracy (docs/RECIPES.md), so the tuner would fit the test set.
 * Paths as checkTraining's (`fixed.val_size`, `parameters.val_size`).
 */
export function trainingWarnings(fixed: RawHyperparameters, space: SearchSpace): FieldError[] {
  const searched = space.val_size;
  const dataSearched = space.data;
  const cifar = dataSearched
    ? dataSearched.type === 'categorical' && dataSearched.values.includes('cifar10')
    : String(fixed.data ?? 'synthetic').trim() === 'cifar10';
  if (!cifar) return [];
  if (searched) {
    const zero = searched.type === 'categorical' ? searched.values.some((v) => Number(v) === 0) : Number(searched.min) <= 0;
    return zero ? [{ path: 'parameters.val_size', message: TEST_SET_TUNING_WARNING }] : [];
  }
  const value = fixed.val_size;
  return value !== undefined && String(value).trim() !== '' && Number(value) === 0 ? [{ path: 'fixed.val_size', message: TEST_SET_TUNING_WARNING }] : [];
}
