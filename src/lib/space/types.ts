/** The search space: the JSON shape shared by the page, links, exports and the tuner CLI. */

export type Scale = 'linear' | 'log' | 'reverse-log' | 'auto';
export type CategoryValue = string | number;

export interface ContinuousParameter {
  type: 'continuous';
  min: number;
  max: number;
  scale?: Scale;
}

export interface IntegerParameter {
  type: 'integer';
  min: number;
  max: number;
  scale?: Scale;
}

export interface CategoricalParameter {
  type: 'categorical';
  values: CategoryValue[];
}

export type Parameter = ContinuousParameter | IntegerParameter | CategoricalParameter;
export type ParameterType = Parameter['type'];

/** Parameter name to its definition; insertion order is the order of dimensions. */
export type SearchSpace = Record<string, Parameter>;

/** One point in the space: parameter name to value. */
export type Params = Record<string, CategoryValue>;

/** A problem found in user input, addressed by a dotted path such as `parameters.lr.min`. */
export interface FieldError {
  path: string;
  message: string;
}
