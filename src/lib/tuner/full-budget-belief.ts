import { encodingLayout, type EncodingLayout, type Params, type SearchSpace } from '../space';
import { Belief, DEFAULT_SLICE_POINTS, type BeliefObservation, type SlicePoint } from './belief';
import type { FidelityKernel } from './fidelity';
import type { GpPosterior } from './gp';
import { importanceWithoutModel, lengthscaleImportance, type Importance } from './importance';
import { BUDGET_PARAMETER } from './rungs';
import type { Goal } from './types';
import type { OutputWarp } from './warp';

/** What a full-budget belief needs besides the fit. */
export interface FullBudget {
  /** The full budget in epochs: where the slices are taken. */
  epochs: number;
  /** The configuration's parameters: the space without the budget. */
  configSpace: SearchSpace;
  kernel: FidelityKernel;
  /** The results at the full budget, for the importance of a kernel whose lengthscales do not say it (`sum`). */
  results: readonly BeliefObservation[];
}

/**
 * Hyperband's GP over configuration and budget (`FidelityModel`'s recommendation fit) as the
 * page shows it: at the full budget. Its space is the configuration's parameters and `epochs`
 * over the rungs' range, its values those of the objective (the goal orients them back).
 */
export class FullBudgetBelief extends Belief {
  private readonly configLayout: EncodingLayout;

  constructor(space: SearchSpace, goal: Goal, layout: EncodingLayout, posterior: GpPosterior, warp: OutputWarp, observations: number, readonly full: FullBudget) {
    super(space, goal, layout, posterior, warp, observations);
    this.configLayout = encodingLayout(full.configSpace);
  }

  /**
   * Along a hyperparameter, the budget held at the full budget whatever `at` says (a trial of a
   * shorter rung may be the only one yet); along `epochs`, the model of `at`'s configuration at
   * each budget.
   */
  override slice(name: string, at: Params, points = DEFAULT_SLICE_POINTS): SlicePoint[] {
    return super.slice(name, name === BUDGET_PARAMETER ? at : { ...at, [BUDGET_PARAMETER]: this.full.epochs }, points);
  }

  /**
   * The configuration's hyperparameters only. With the `feature` kernel the lengthscales are the
   * joint Matérn's (the budget's, last, is left out); with `curve` they are f_full's, the part
   * that is the whole prediction at the full budget (θ starts with them in both). Under `sum`
   * the full-budget prediction is f_full plus the feature term, two lengthscales per parameter
   * with no one relevance, so the model-free share of variance over the full-budget results
   * stands in (null before 2 of them).
   */
  override ranked(): Importance | null {
    const fullBudget = this.full.epochs;
    if (this.full.kernel === 'sum') {
      if (this.full.results.length < 2) return null;
      return { method: 'variance', parameters: importanceWithoutModel(this.full.configSpace, this.full.results), results: this.full.results.length, fullBudget };
    }
    return { method: 'lengthscales', parameters: lengthscaleImportance(this.configLayout, this.posterior.theta), results: this.observations, fullBudget };
  }
}
