import type { Importance } from '../../lib/tuner';

export interface ImportanceBar {
  name: string;
  /** The share of importance, summing to 1 over the parameters (all 0 when none explains anything). */
  share: number;
}

/** One bar per hyperparameter, largest first (the job's order on ties). */
export function importanceBars(importance: Importance): ImportanceBar[] {
  return importance.parameters.map((p) => ({ name: p.name, share: p.importance })).sort((a, b) => b.share - a.share);
}

/** Says how the bars were found: the GP's lengthscales, or, without a GP, a model-free share of variance. */
export function importanceMethod(importance: Importance): string {
  return importance.method === 'lengthscales'
    ? "Relevance from the GP's ARD lengthscales: 1/ℓ per hyperparameter, normalized to sum to 1 (a short lengthscale means the objective changes within a small part of its range)."
    : "No model is fitted: the share of the objective's variance each hyperparameter explains alone (a one-way ANOVA per hyperparameter, ε²), normalized to sum to 1.";
}
