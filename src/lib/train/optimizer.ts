import * as tf from '@tensorflow/tfjs';
import { canFuseSgd, fusedSgdUpdate } from './kernels/sgd-update';
import type { DynamicLossScale, StepGate } from './loss-scale';

export interface TrainableParam {
  variable: tf.Variable;
  /** Multiplies the step's learning rate for this parameter (BatchNorm biases learn faster). */
  lrScale: number;
}

export interface SgdOptions {
  nesterov: boolean;
  /** Decoupled decay: w -= lr · weightDecay · w, apart from the gradient and its momentum. */
  weightDecay: number;
  /** `custom`: the fused WebGPU update (kernels/sgd-update.ts) where it can run; `stock`: tfjs ops. */
  kernels?: 'custom' | 'stock';
  /** f16 compute: gradients are taken of the scaled loss, unscaled in the update, and a step with a non-finite gradient is skipped. */
  lossScale?: DynamicLossScale;
}

/**
 * SGD with heavy-ball or Nesterov momentum in PyTorch's form (v = μv + g; step along v, or g + μv).
 * Written here rather than taken from tf.train because lr and momentum change every step and
 * tf.train.momentum leaks a tensor on dispose.
 */
export class SgdMomentum {
  private readonly velocity: tf.Variable[];

  constructor(private readonly params: TrainableParam[], private readonly options: SgdOptions) {
    this.velocity = params.map((p) => tf.tidy(() => tf.variable(tf.zerosLike(p.variable), false)));
  }

  /**
   * One update from the loss function's gradients; returns the loss, which the caller disposes.
   * A param in `frozen` (its index in the constructor's list) gets no gradient computed and no
   * update at all, decay included, as a PyTorch param whose gradient is detached.
   */
  step(lossFn: () => tf.Scalar, lr: number, momentum: number, frozen?: ReadonlySet<number>): tf.Scalar {
    const learning = frozen && frozen.size > 0 ? this.params.filter((_, i) => !frozen.has(i)) : this.params;
    const scaler = this.options.lossScale;
    const { value, grads } = tf.variableGrads(scaler ? () => scaler.scaled(lossFn()) : lossFn, learning.map((p) => p.variable));
    const gate = scaler?.gate(Object.values(grads));
    tf.tidy(() => {
      this.params.forEach((param, i) => {
        const grad = grads[param.variable.name];
        // A parameter the loss does not reach (e.g. an unused head) keeps its value.
        if (!grad) return;
        const update = this.options.kernels === 'custom' && canFuseSgd(param.variable.size) ? fusedSgdUpdate : stockSgdUpdate;
        update(param.variable, this.velocity[i], grad, lr * param.lrScale, lr * this.options.weightDecay, momentum, this.options.nesterov, gate);
      });
    });
    tf.dispose(grads);
    if (!gate) return value;
    // The caller sees the loss itself, not the scaled one.
    const loss = tf.mul(value, gate.invScale) as tf.Scalar;
    tf.dispose([value, gate.gate, gate.invScale, gate.apply]);
    return loss;
  }

  dispose(): void {
    tf.dispose(this.velocity);
  }
}

/**
 * The per-parameter update in tfjs ops: the reference for the fused kernel, and its fallback. With a
 * loss-scale gate the gradient is unscaled first, and a skipped step keeps weight and velocity as they were.
 */
export function stockSgdUpdate(variable: tf.Variable, velocity: tf.Variable, grad: tf.Tensor, lr: number, decay: number, momentum: number, nesterov: boolean, gate?: StepGate): void {
  const g = gate ? tf.mul(grad, gate.invScale) : grad;
  const nextVelocity = tf.add(tf.mul(velocity, momentum), g);
  const direction = nesterov ? tf.add(g, tf.mul(nextVelocity, momentum)) : nextVelocity;
  const decayed = decay > 0 ? tf.mul(variable, 1 - decay) : variable;
  const nextWeight = tf.sub(decayed, tf.mul(direction, lr));
  // where, not a blend by 0/1: a NaN times 0 is still NaN.
  const keep = (next: tf.Tensor, old: tf.Tensor) => (gate ? tf.where(tf.cast(gate.apply, 'bool'), next, old) : next);
  velocity.assign(keep(nextVelocity, velocity));
  variable.assign(keep(nextWeight, variable));
}
