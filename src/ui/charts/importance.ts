import type { Importance } from '../../lib/tuner';

export interface ImportanceBar {
  name: string;
  /** The share of importance, summing to 1 over the parameters (all 0 when none explains anything). */
  share: number;
  /** Its label in whole percent; the labels add up to 100 (rounded alone, 53 %, 24 %, 24 % read as a miscount under "normalized to sum to 1"). */
  percent: number;
}

/**
 * Whole percents of shares that sum to 1, adding up to 100: each share's floor, then one more to
 * the largest remainders (ties to the earlier share). All 0 when the shares are.
 */
export function wholePercents(shares: readonly number[]): number[] {
  const total = shares.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return shares.map(() => 0);
  const exact = shares.map((s) => (s / total) * 100);
  const percents = exact.map(Math.floor);
  const left = 100 - percents.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((e, i) => ({ i, remainder: e - Math.floor(e) })).sort((a, b) => b.remainder - a.remainder || a.i - b.i);
  for (const { i } of byRemainder.slice(0, left)) percents[i]++;
  return percents;
}

/**
 * Results per ranked hyperparameter below which a ranking is shown as tentative (and never
 * below `SETTLED_MINIMUM`). Measured with `npm run bench:tuner-importance` (docs/PERFORMANCE.md,
 * "When Importance settles"): the display model's top parameter is the final one on 75–100 % of
 * seeds from about 5 results per parameter (Branin 10, Hartmann3 15, MixedTraining 20–30,
 * Hartmann6 30), and hardly better than chance before; with a handful of results the
 * lengthscales follow whichever parameters the first draws happened to spread.
 */
export const SETTLED_PER_PARAMETER = 5;
export const SETTLED_MINIMUM = 10;

/** The results after which a ranking of this many hyperparameters reads as settled. */
export function settledResults(parameters: number): number {
  return Math.max(SETTLED_MINIMUM, SETTLED_PER_PARAMETER * parameters);
}

/** Whether a ranking of `parameters` hyperparameters from `results` is tentative, and the line that says what it rests on. */
export function importanceBasis(results: number, parameters: number): { tentative: boolean; note: string } {
  const based = `Based on ${results} result${results === 1 ? '' : 's'}`;
  const settled = settledResults(parameters);
  return results < settled
    ? { tentative: true, note: `${based}: tentative, drawn lighter; with ${parameters} hyperparameter${parameters === 1 ? '' : 's'}, rankings settle after about ${settled}.` }
    : { tentative: false, note: `${based}.` };
}

/** One bar per hyperparameter, largest first (the job's order on ties). */
export function importanceBars(importance: Importance): ImportanceBar[] {
  const percents = wholePercents(importance.parameters.map((p) => p.importance));
  return importance.parameters.map((p, i) => ({ name: p.name, share: p.importance, percent: percents[i] })).sort((a, b) => b.share - a.share);
}

/**
 * Says how the bars were found: the GP's lengthscales, or, without a GP, a model-free share of
 * variance; under Hyperband (`fullBudget`), of the model or the runs at the full budget, and why
 * the budget has no bar.
 */
export function importanceMethod(importance: Importance): string {
  const epochs = importance.fullBudget;
  if (epochs !== undefined) {
    const budget = `${epochs} epoch${epochs === 1 ? '' : 's'}`;
    const unranked = 'The budget (epochs) is not ranked: it is what each run is given, and short runs are worse whatever the configuration.';
    return importance.method === 'lengthscales'
      ? `Relevance from the lengthscales of Hyperband's GP of configuration and epochs, its model at the full budget (${budget}): 1/ℓ per hyperparameter, normalized to sum to 1. ${unranked}`
      : `The share of the objective's variance each hyperparameter explains alone among the runs at the full budget (${budget}; a one-way ANOVA per hyperparameter, ε²), normalized to sum to 1: the model's lengthscales do not give one relevance per hyperparameter. ${unranked}`;
  }
  return importance.method === 'lengthscales'
    ? "Relevance from the GP's ARD lengthscales: 1/ℓ per hyperparameter, normalized to sum to 1 (a short lengthscale means the objective changes within a small part of its range)."
    : "No model is fitted: the share of the objective's variance each hyperparameter explains alone (a one-way ANOVA per hyperparameter, ε²), normalized to sum to 1.";
}
