import * as tf from '@tensorflow/tfjs';

/** `whiten-bias`: airbench's whitening conv bias, trained like a bias and frozen after `whiten_bias_epochs`. */
export type ParamRole = 'weight' | 'bias' | 'bn-scale' | 'bn-bias' | 'whiten-bias';

export interface Param {
  variable: tf.Variable;
  role: ParamRole;
}

/** A network as the training loop sees it: its state and one function from images to logits. */
export interface Model {
  /** Trainable weights. */
  readonly params: Param[];
  /** BatchNorm running statistics: updated by training passes, read by evaluation. */
  readonly buffers: tf.Variable[];
  /** Everything else the network owns (e.g. the frozen whitening filter). */
  readonly constants: tf.Variable[];
  /**
   * Logits for a batch of normalized NHWC images. A training pass uses batch statistics and
   * updates the running ones; an evaluation pass reads `state` (params then buffers, e.g. an EMA)
   * in place of the live variables when given.
   */
  forward(images: tf.Tensor4D, training: boolean, state?: tf.Tensor[]): tf.Tensor2D;
  dispose(): void;
}

/** A handle on one tensor of a model's state. */
export interface Ref {
  readonly kind: 'param' | 'buffer' | 'constant';
  readonly slot: number;
}

/** Builds a model's state with seeded initial values. */
export class ModelState {
  readonly params: Param[] = [];
  readonly buffers: tf.Variable[] = [];
  readonly constants: tf.Variable[] = [];
  private draws = 0;

  constructor(private readonly seed: number) {}

  /** A seed for the next random initializer, distinct per tensor and per trial seed. */
  nextSeed(): number {
    return this.seed * 7919 + ++this.draws;
  }

  param(init: () => tf.Tensor, role: ParamRole): Ref {
    this.params.push({ variable: keepVariable(init, true), role });
    return { kind: 'param', slot: this.params.length - 1 };
  }

  buffer(init: () => tf.Tensor): Ref {
    this.buffers.push(keepVariable(init, false));
    return { kind: 'buffer', slot: this.buffers.length - 1 };
  }

  constant(init: () => tf.Tensor): Ref {
    this.constants.push(keepVariable(init, false));
    return { kind: 'constant', slot: this.constants.length - 1 };
  }

  /** Wraps a forward function of a pass into the Model interface. */
  toModel(body: (pass: Pass, images: tf.Tensor4D) => tf.Tensor2D): Model {
    return {
      params: this.params,
      buffers: this.buffers,
      constants: this.constants,
      forward: (images, training, state) => tf.tidy(() => body(new Pass(this, training, state), images)),
      dispose: () => {
        tf.dispose(this.params.map((p) => p.variable));
        tf.dispose(this.buffers);
        tf.dispose(this.constants);
      },
    };
  }
}

/** One forward pass: where its weights come from and whether it trains. */
export class Pass {
  constructor(private readonly state: ModelState, readonly training: boolean, private readonly override?: tf.Tensor[]) {}

  read(ref: Ref): tf.Tensor {
    const { params, buffers, constants } = this.state;
    if (ref.kind === 'constant') return constants[ref.slot];
    const index = ref.kind === 'param' ? ref.slot : params.length + ref.slot;
    if (this.override && !this.training) return this.override[index];
    return ref.kind === 'param' ? params[ref.slot].variable : buffers[ref.slot];
  }

  /** The variable behind a buffer, for a kernel that moves the running statistics itself (training passes only). */
  buffer(ref: Ref): tf.Variable {
    if (ref.kind !== 'buffer' || !this.training) throw new Error('Only training passes write buffers.');
    return this.state.buffers[ref.slot];
  }

  /** Only training passes write (running statistics). */
  write(ref: Ref, value: tf.Tensor): void {
    if (ref.kind !== 'buffer') throw new Error('Only buffers are written during a pass.');
    this.state.buffers[ref.slot].assign(value);
  }
}

function keepVariable(init: () => tf.Tensor, trainable: boolean): tf.Variable {
  // tidy frees the initial value: a variable keeps its own copy.
  return tf.tidy(() => tf.variable(init(), trainable));
}

/** Trainable parameter count (frozen constants and running statistics excluded). */
export function countParams(model: Model): number {
  return model.params.reduce((sum, p) => sum + p.variable.size, 0);
}
