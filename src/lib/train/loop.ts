import * as tf from '@tensorflow/tfjs';
import { createRng, shuffledIndices } from '../rng';
import { drawPlacement } from './augment';
import type { DataSplits } from '../data/splits';
import { Lookahead, WeightEma } from './ema';
import { evaluateAccuracy } from './evaluate';
import { RECIPE_VERSION, effectiveLr, resolvedHyperparameters, type TrainConfig } from '../recipe/hyperparameters';
import { IMAGE_SIZE } from '../data/image-set';
import { formatEpochLine, formatFinalLine, formatHyperparametersLine, type EpochRecord, type TrainProgress } from '../metrics/engine';
import { createModel, type Model } from './models';
import { SgdMomentum } from './optimizer';
import { describeKernels } from './kernels/registry';
import type { TileCache } from './kernels/conv-autotune';
import { tuneConvTilesAtStart } from './kernels/tune-at-start';
import { useActivationStorage } from './kernels/batchnorm-act';
import { deviceHasShaderF16, resolveComputePrecision, useComputePrecision } from './kernels/compute-precision';
import { DynamicLossScale } from './loss-scale';
import { scheduleAt } from './schedule';
import { batchLoss, describeTrainingBatch, trainingBatch } from './training-batch';

/**
 * Every this many steps a read of the loss starts, and the loop waits for the read started this
 * many steps before: by then the device has usually finished it, so the loop rarely waits, and when
 * it does (a GPU behind JavaScript) the steps recorded since stay queued and the GPU never idles.
 * A divergence is caught within twice this many steps, a soft stop (taken in at each wait) within this many.
 */
const SYNC_EVERY = 4;

/** An epoch's figures unrounded, as the `Epoch N, ...` line prints them rounded, and more. */
export interface EpochReport extends EpochRecord {
  /** Seconds spent in training steps so far, evaluations excluded. */
  trainSeconds: number;
  /** Only when `testEachEpoch` asked for it. */
  testAccuracy?: number;
}

export interface TrainHooks {
  log(line: string): void;
  /** Polled before every step: true ends the trial as stopped. */
  shouldStop(): boolean;
  /** Also measure test accuracy after every epoch (the CLI's time to 94%); costs one more evaluation per epoch. */
  testEachEpoch?: boolean;
  onEpoch?(report: EpochReport): void;
  /** At each sync point (every 4 steps) and each epoch's end: where the loop waits for a loss read anyway, so it costs the device nothing. */
  onProgress?(progress: TrainProgress): void;
  /** Where autotuned convolution tiles persist between workers and sessions (the page's IndexedDB); memory only without it. */
  tileCache?: TileCache;
}

export type TrainOutcome = { status: 'completed'; valAccuracy: number; testAccuracy: number } | { status: 'stopped' };

/**
 * Trains one trial and prints the log-line convention: first the `Hyperparameters {...}` line, then
 * one `Epoch N, ...` line per epoch (a last partial epoch included) and a `Final, ...` line. Every
 * tensor it makes is gone when it returns or throws.
 */
export async function train(config: TrainConfig, data: DataSplits, seed: number, hooks: TrainHooks): Promise<TrainOutcome> {
  const started = performance.now();
  // First, before anything can fail: a failed trial's log still says what it was asked to train.
  hooks.log(formatHyperparametersLine(RECIPE_VERSION, resolvedHyperparameters(config)));
  useActivationStorage(config.activationStorage);
  if (config.batchSize > data.train.count) {
    throw new Error(`batch_size (${config.batchSize}) is larger than the training set (${data.train.count} images).`);
  }
  const held: { dispose(): void }[] = [];
  const precision = resolveComputePrecision(config.computePrecision, { kernels: config.kernels, backend: tf.getBackend(), shaderF16: deviceHasShaderF16() });
  useComputePrecision(precision.precision, { reason: precision.reason });
  try {
    const model = await createModel(config.model, config.width, seed, data.train);
    held.push(model);
    const tiles = await tuneConvTilesAtStart(model, config.batchSize, hooks.tileCache);
    hooks.log(describeKernels([...describeTrainingBatch(data.train), ...(tiles ? [tiles] : [])]));
    const lossScale = precision.precision === 'f16' ? new DynamicLossScale() : undefined;
    if (lossScale) held.push(lossScale);
    const optimizer = new SgdMomentum(
      model.params.map((p) => ({ variable: p.variable, lrScale: p.role === 'bn-bias' ? config.bnBiasLr : 1 })),
      { nesterov: config.optimizer === 'nag', weightDecay: config.weightDecay, kernels: config.kernels, lossScale },
    );
    held.push(optimizer);
    const ema = config.ema ? new WeightEma([...model.params.map((p) => p.variable), ...model.buffers], config.emaDecay, { kernels: config.kernels }) : undefined;
    if (ema) held.push(ema);
    const lookahead = config.lookahead ? new Lookahead([...model.params.map((p) => p.variable), ...model.buffers], { kernels: config.kernels }) : undefined;
    if (lookahead) held.push(lookahead);
    return await run(config, data, seed, hooks, { model, optimizer, ema, lookahead }, started);
  } finally {
    held.reverse().forEach((h) => h.dispose());
    // The next trial, or whatever runs after this one, starts from f32.
    useComputePrecision('f32');
  }
}

interface Trainer {
  model: Model;
  optimizer: SgdMomentum;
  ema?: WeightEma;
  lookahead?: Lookahead;
}

async function run(config: TrainConfig, data: DataSplits, seed: number, hooks: TrainHooks, { model, optimizer, ema, lookahead }: Trainer, started: number): Promise<TrainOutcome> {
  const rng = createRng(seed);
  const stepsPerEpoch = Math.floor(data.train.count / config.batchSize);
  const totalSteps = Math.max(1, Math.round(config.epochs * stepsPerEpoch));
  const flipState = Uint8Array.from({ length: data.train.count }, () => (rng.next() < 0.5 ? 1 : 0));
  const cycle = {
    peakLr: effectiveLr(config),
    warmup: config.warmup,
    startFactor: config.lrStartFactor,
    endFactor: config.lrEndFactor,
    momentum: config.momentum,
    momentumCycle: config.momentumCycle,
  };
  // Without a validation split (cifar10 with val_size 0) the epoch lines report the test set.
  const valSet = data.val.count > 0 ? data.val : data.test;
  if (data.val.count === 0) hooks.log('No validation split (val_size=0): Validation accuracy is measured on the test set.');
  // airbench's whitening bias learns for the first whiten_bias_epochs epochs only.
  const whitenBias = new Set(model.params.flatMap((p, i) => (p.role === 'whiten-bias' ? [i] : [])));
  const whitenBiasSteps = Math.ceil(config.whitenBiasEpochs * stepsPerEpoch);
  const noneFrozen = new Set<number>();
  const evaluate = (set: typeof valSet) => evaluateAccuracy(model, set, config.batchSize, config.tta, ema?.weights);

  let trainSeconds = 0;
  let step = 0;
  let reportedStep = -1;
  const reportProgress = (epoch: number, done: number) => {
    // An epoch whose last step is also a sync point reaches both; report it once.
    if (done === reportedStep) return;
    reportedStep = done;
    hooks.onProgress?.({ epoch, step: done, totalSteps, stepsPerEpoch });
  };
  for (let epoch = 1; step < totalSteps; epoch++) {
    const order = shuffledIndices(data.train.count, rng);
    const epochStart = performance.now();
    const loss = new LossTracker();
    try {
      for (let b = 0; b < stepsPerEpoch && step < totalSteps; b++, step++) {
        if (hooks.shouldStop()) {
          hooks.log(`Stopped at step ${step} of ${totalSteps}`);
          return { status: 'stopped' };
        }
        const indices = order.slice(b * config.batchSize, (b + 1) * config.batchSize);
        const placement = drawPlacement(rng, indices, epoch, config, flipState, IMAGE_SIZE);
        const { lr, momentum } = scheduleAt(step, totalSteps, cycle);
        const batch = trainingBatch(data.train, indices, placement);
        try {
          loss.add(optimizer.step(() => batchLoss(model, batch, config.labelSmoothing), lr, momentum, step >= whitenBiasSteps ? whitenBias : noneFrozen));
        } finally {
          tf.dispose([batch.images, batch.targets]);
        }
        lookahead?.afterStep(step + 1, totalSteps);
        if (lookahead && step + 1 === totalSteps) lookahead.finish();
        ema?.update();
        if (loss.steps % SYNC_EVERY === 0) {
          await loss.check(step + 1);
          reportProgress(epoch, step + 1);
          await yieldOnCpu();
        }
      }
      await loss.check(step, true);
      reportProgress(epoch, step);
    } finally {
      // A stop or a divergence leaves a read in flight: its snapshot goes before the trial counts its tensors.
      await loss.settle();
      loss.dispose();
    }
    const epochSeconds = (performance.now() - epochStart) / 1000;
    trainSeconds += epochSeconds;
    const valAccuracy = await evaluate(valSet);
    const imagesPerSecond = (loss.steps * config.batchSize) / epochSeconds;
    hooks.log(formatEpochLine({ epoch, trainLoss: loss.mean, valAccuracy, imagesPerSecond }));
    const testAccuracy = hooks.testEachEpoch ? await evaluate(data.test) : undefined;
    hooks.onEpoch?.({ epoch, trainLoss: loss.mean, valAccuracy, imagesPerSecond, trainSeconds, testAccuracy });
    if (step >= totalSteps) {
      const finalTest = testAccuracy ?? (await evaluate(data.test));
      hooks.log(formatFinalLine({ testAccuracy: finalTest, seconds: (performance.now() - started) / 1000 }));
      return { status: 'completed', valAccuracy, testAccuracy: finalTest };
    }
  }
  throw new Error('The training loop ended without a final epoch.');
}

/**
 * The CPU backend's reads resolve as microtasks, so a trial on it would never let its thread take a
 * message, a timer or a signal: a stop request, the NATS lease heartbeat, Ctrl+C would wait for the
 * whole trial. A GPU read already waits on the event loop, so only the CPU pays for this.
 */
function yieldOnCpu(): Promise<void> | undefined {
  return tf.getBackend() === 'cpu' ? new Promise((resolve) => setTimeout(resolve, 0)) : undefined;
}

/**
 * Sums the epoch's losses on the device and reads them one sync point behind: each check starts a
 * read of the sum so far and waits for the one the previous check started, so the device keeps the
 * steps recorded in between. The epoch's last check waits for its own read, for the epoch's mean.
 */
class LossTracker {
  private sum: tf.Scalar = tf.scalar(0);
  private total = 0;
  private inFlight?: { value: Promise<number>; step: number };
  steps = 0;

  add(loss: tf.Scalar): void {
    const next = tf.add(this.sum, loss) as tf.Scalar;
    tf.dispose([this.sum, loss]);
    this.sum = next;
    this.steps++;
  }

  /** Starts a read of the sum so far and checks the previous one (or this one, at the epoch's end); a non-finite sum means the run diverged. */
  async check(step: number, endOfEpoch = false): Promise<void> {
    // A clone holds the sum's buffer while the next steps replace `sum`.
    const snapshot = this.sum.clone();
    const started = { value: snapshot.data().then((d) => d[0]).finally(() => snapshot.dispose()), step };
    const previous = this.inFlight;
    this.inFlight = started;
    const due = endOfEpoch ? started : previous;
    if (!due) return;
    if (endOfEpoch) await previous?.value.catch(() => undefined);
    const total = await due.value;
    if (!Number.isFinite(total)) throw new Error(`diverged: the training loss became ${total} by step ${due.step}.`);
    this.total = total;
  }

  /** Waits for a read still in flight, whatever it finds. */
  async settle(): Promise<void> {
    await this.inFlight?.value.catch(() => undefined);
  }

  get mean(): number {
    return this.total / Math.max(1, this.steps);
  }

  dispose(): void {
    this.sum.dispose();
  }
}
