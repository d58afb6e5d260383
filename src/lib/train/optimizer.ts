import * as tf from '@tensorflow/tfjs';

export interface SgdOptions {
  momentum: number;
  nesterov: boolean;
  /** Decoupled (AdamW-style) decay: w -= lr * weightDecay * w, apart from the gradient. */
  weightDecay: number;
}

/**
 * SGD with heavy-ball or Nesterov momentum. Written here rather than taken from tf.train because
 * the step's learning rate changes every step (schedules) and tf.train.momentum leaks a tensor on dispose.
 */
export class SgdMomentum {
  private readonly velocity: tf.Variable[];

  constructor(private readonly variables: tf.Variable[], private readonly options: SgdOptions) {
    this.velocity = variables.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
  }

  /** One update from the loss function's gradients; returns the loss, which the caller disposes. */
  step(lossFn: () => tf.Scalar, lr: number): tf.Scalar {
    const { momentum, nesterov, weightDecay } = this.options;
    const { value, grads } = tf.variableGrads(lossFn, this.variables);
    tf.tidy(() => {
      this.variables.forEach((variable, i) => {
        const grad = grads[variable.name];
        const velocity = this.velocity[i];
        const nextVelocity = tf.add(tf.mul(velocity, momentum), grad);
        const direction = nesterov ? tf.add(grad, tf.mul(nextVelocity, momentum)) : nextVelocity;
        velocity.assign(nextVelocity);
        const decayed = weightDecay > 0 ? tf.mul(variable, 1 - lr * weightDecay) : variable;
        variable.assign(tf.sub(decayed, tf.mul(direction, lr)));
      });
    });
    tf.dispose(grads);
    return value;
  }

  dispose(): void {
    tf.dispose(this.velocity);
  }
}
