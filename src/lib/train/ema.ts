import * as tf from '@tensorflow/tfjs';

/**
 * An exponential moving average of the model's weights and BatchNorm statistics, for evaluation.
 * The decay ramps up as (1 + n) / (10 + n) over the first updates, so that a short run is not
 * dominated by its random initial weights.
 */
export class WeightEma {
  private readonly shadow: tf.Variable[];
  private updates = 0;

  constructor(private readonly sources: tf.Variable[], private readonly decay: number) {
    this.shadow = sources.map((v) => tf.tidy(() => tf.variable(v.clone(), false)));
  }

  update(): void {
    this.updates++;
    const decay = Math.min(this.decay, (1 + this.updates) / (10 + this.updates));
    tf.tidy(() => {
      this.shadow.forEach((s, i) => s.assign(tf.add(tf.mul(s, decay), tf.mul(this.sources[i], 1 - decay))));
    });
  }

  /** In the order of the sources given at construction. */
  get weights(): tf.Tensor[] {
    return this.shadow;
  }

  dispose(): void {
    tf.dispose(this.shadow);
  }
}
