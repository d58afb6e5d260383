import * as tf from '@tensorflow/tfjs';

export interface LossScaleOptions {
  /** The first scale: 2^15 lifts a mean loss's gradients well clear of f16's subnormals (below 6.1e-5). */
  initial?: number;
  /** Finite steps in a row after which the scale doubles. */
  growthInterval?: number;
  /** The scale never grows past this (2^24: its inverse stays a normal f32 and a product a finite f16 more often). */
  max?: number;
}

/** What a step's update applies: the gradients' multiplier and whether to apply the step at all. */
export interface StepGate {
  /** [1/scale, 1 when every gradient is finite else 0], float32: the fused SGD kernel reads both. */
  gate: tf.Tensor1D;
  invScale: tf.Scalar;
  apply: tf.Scalar;
}

/**
 * Dynamic loss scaling for f16 compute: the loss is multiplied by a scale before its gradients are
 * taken, so that small gradients survive f16's range; the update divides it back out. A step whose
 * gradients hold an infinity or NaN (the scale was too large for f16) is skipped whole, weights and
 * velocities untouched, and the scale halves; after `growthInterval` finite steps in a row it
 * doubles. The scale and the count of good steps live on the device and every decision is a tensor
 * op, so a step never waits for a read.
 */
export class DynamicLossScale {
  readonly scale: tf.Variable<tf.Rank.R0>;
  private readonly good: tf.Variable<tf.Rank.R0>;
  private readonly growthInterval: number;
  private readonly max: number;

  constructor({ initial = 2 ** 15, growthInterval = 1000, max = 2 ** 24 }: LossScaleOptions = {}) {
    if (!(initial >= 1 && initial <= max)) throw new Error(`The initial loss scale must be in [1, ${max}]; got ${initial}.`);
    if (!Number.isInteger(growthInterval) || growthInterval < 1) throw new Error(`The loss scale's growth interval must be a whole number ≥ 1; got ${growthInterval}.`);
    this.growthInterval = growthInterval;
    this.max = max;
    this.scale = tf.tidy(() => tf.variable(tf.scalar(initial), false));
    this.good = tf.tidy(() => tf.variable(tf.scalar(0), false));
  }

  /** The loss the gradients are taken of: loss × scale. */
  scaled(loss: tf.Scalar): tf.Scalar {
    return tf.mul(loss, this.scale);
  }

  /**
   * From the gradients of `scaled(loss)`: the gate the update applies, computed with the scale they
   * were taken at; then the scale moves for the next step. Finite means the sum of every gradient's
   * sum is finite: an infinity or NaN anywhere makes it so, and so does a sum that overflows f32,
   * which only gradients far too large for f16 reach. The caller disposes the gate.
   */
  gate(grads: tf.Tensor[]): StepGate {
    return tf.tidy(() => {
      const total = addAll(grads.map((g) => tf.sum(g)));
      const finite = tf.isFinite(total) as tf.Scalar;
      const apply = tf.cast(finite, 'float32') as tf.Scalar;
      const invScale = tf.div(1, this.scale) as tf.Scalar;
      const gate = tf.stack([invScale, apply]) as tf.Tensor1D;
      const good = tf.where(finite, tf.add(this.good, 1), tf.zerosLike(this.good)) as tf.Scalar;
      const grow = tf.greaterEqual(good, this.growthInterval);
      const grown = tf.minimum(tf.mul(this.scale, 2), this.max);
      const halved = tf.maximum(tf.div(this.scale, 2), 1);
      this.scale.assign(tf.where(finite, tf.where(grow, grown, this.scale), halved) as tf.Scalar);
      this.good.assign(tf.where(grow, tf.zerosLike(good), good) as tf.Scalar);
      return { gate, invScale, apply };
    });
  }

  dispose(): void {
    tf.dispose([this.scale, this.good]);
  }
}

/**
 * Σ of equally shaped tensors. tfjs's webgpu AddN binds every input in one dispatch and fails past
 * the 8 storage buffers a shader stage is guaranteed (a model has dozens of parameters), so the
 * sum goes in rounds of at most 7 inputs.
 */
function addAll(terms: tf.Tensor[]): tf.Tensor {
  let round = terms;
  while (round.length > 1) {
    const next: tf.Tensor[] = [];
    for (let i = 0; i < round.length; i += 7) {
      const group = round.slice(i, i + 7);
      next.push(group.length === 1 ? group[0] : tf.addN(group));
    }
    round = next;
  }
  return round[0];
}
