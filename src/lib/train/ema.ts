import * as tf from '@tensorflow/tfjs';
import { canFuseAverage, fusedAverageUpdate } from './kernels/weight-average';

/** `custom`: one dispatch per tensor (kernels/weight-average.ts) where it can run; `stock`: tfjs ops. */
export interface AverageOptions {
  kernels?: 'custom' | 'stock';
}

/**
 * avg' = decay·avg + (1 − decay)·source for each pair, and with `copyBack` source' = avg'. The tfjs
 * ops are the reference for the fused kernel and its fallback.
 */
function moveAverages(averages: tf.Variable[], sources: tf.Variable[], decay: number, copyBack: boolean, options: AverageOptions): void {
  tf.tidy(() => {
    averages.forEach((a, i) => {
      if (options.kernels === 'custom' && canFuseAverage(a.size)) {
        fusedAverageUpdate(a, sources[i], decay, copyBack);
        return;
      }
      a.assign(tf.add(tf.mul(a, decay), tf.mul(sources[i], 1 - decay)));
      if (copyBack) sources[i].assign(a);
    });
  });
}

/**
 * An exponential moving average of the model's weights and BatchNorm statistics, for evaluation.
 * The decay ramps up as (1 + n) / (10 + n) over the first updates, so that a short run is not
 * dominated by its random initial weights.
 */
export class WeightEma {
  private readonly shadow: tf.Variable[];
  private updates = 0;

  constructor(private readonly sources: tf.Variable[], private readonly decay: number, private readonly options: AverageOptions = {}) {
    this.shadow = sources.map((v) => tf.tidy(() => tf.variable(v.clone(), false)));
  }

  update(): void {
    this.updates++;
    const decay = Math.min(this.decay, (1 + this.updates) / (10 + this.updates));
    moveAverages(this.shadow, this.sources, decay, false, this.options);
  }

  /** In the order of the sources given at construction. */
  get weights(): tf.Tensor[] {
    return this.shadow;
  }

  dispose(): void {
    tf.dispose(this.shadow);
  }
}

/** How many steps apart airbench's lookahead pulls the weights to their average. */
export const LOOKAHEAD_EVERY = 5;

/** The lookahead decay after `step` steps (1-based) of `totalSteps`: 0.95⁵ · (step / totalSteps)³, as airbench94. */
export function lookaheadDecay(step: number, totalSteps: number): number {
  return 0.95 ** LOOKAHEAD_EVERY * (step / totalSteps) ** 3;
}

/**
 * airbench94's lookahead: unlike WeightEma (an average kept aside for evaluation), it trains. Every
 * LOOKAHEAD_EVERY steps the average moves towards the weights (avg = d·avg + (1 − d)·w) and the
 * weights are then replaced by it; the decay d grows from 0 as the cube of the run's progress, so
 * early on the weights are left alone and late in the run they are pulled hard to the average.
 * The BatchNorm running statistics are averaged and replaced too (airbench averages its whole state dict).
 */
export class Lookahead {
  private readonly average: tf.Variable[];

  constructor(private readonly sources: tf.Variable[], private readonly options: AverageOptions = {}) {
    this.average = sources.map((v) => tf.tidy(() => tf.variable(v.clone(), false)));
  }

  /** Called after step `step` (1-based) of `totalSteps`; acts on every LOOKAHEAD_EVERY-th step. */
  afterStep(step: number, totalSteps: number): void {
    if (step % LOOKAHEAD_EVERY === 0) this.update(lookaheadDecay(step, totalSteps));
  }

  update(decay: number): void {
    moveAverages(this.average, this.sources, decay, true, this.options);
  }

  /** At the end of the run the weights take the average (airbench's last update, with decay 1). */
  finish(): void {
    this.update(1);
  }

  dispose(): void {
    tf.dispose(this.average);
  }
}
