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
