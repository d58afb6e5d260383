/**
 * Counts a model's FLOPs from the kernels tfjs runs: one pass at batch 1 under tf.profile, whose
 * records carry every kernel's input and output shapes. Tracing the engine's own model (not a copy
 * of its layer list) keeps the count right when a model changes.
 *
 * The pass runs on `flop-trace`, a second instance of the cpu backend whose convolutions only
 * return zeros of the right shape: the count needs shapes, not values, and the cpu backend's real
 * convolutions take minutes for a full-width ResNet. Every other kernel is the cpu one.
 */
import * as tf from '@tensorflow/tfjs';
import { CLASSES } from '../../src/lib/data/image-set';
import { makeSyntheticSet } from '../../src/lib/data/synthetic';
import type { ModelName } from '../../src/lib/recipe/hyperparameters';
import { createModel } from '../../src/lib/train/models';
import { modelWidth } from '../train/engines';
import { tallyFlops, type FlopTally } from './flops';

export interface ModelFlops {
  model: ModelName;
  width: number;
  /** Conv and dense FLOPs of one training-mode forward pass, per image. */
  forwardPerImage: FlopTally;
  /** The same kernels in a whole gradient computation (forward and backward), per image; when asked for. */
  tracedStepPerImage?: FlopTally;
}

export const TRACE_BACKEND = 'flop-trace';

/** Enough images for airbench's whitening layer to have a covariance to decompose; the count does not depend on them. */
const WHITENING_IMAGES = 64;

type ConvAttrs = {
  strides: [number, number] | number;
  pad: 'same' | 'valid' | number;
  dilations: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dataFormat: 'NHWC' | 'NCHW';
  inputShape: [number, number, number, number];
  filterShape: [number, number, number, number];
};

/** Output shapes of the kernels that carry nearly all the arithmetic. */
const SHAPE_ONLY: Record<string, (inputs: tf.NamedTensorInfoMap, attrs: ConvAttrs) => number[]> = {
  Conv2D: ({ x, filter }, a) =>
    tf.backend_util.computeConv2DInfo(
      x!.shape as [number, number, number, number],
      filter!.shape as [number, number, number, number],
      a.strides,
      a.dilations,
      a.pad,
      a.dimRoundingMode,
      false,
      a.dataFormat === 'NCHW' ? 'channelsFirst' : 'channelsLast',
    ).outShape,
  Conv2DBackpropInput: (_, a) => a.inputShape,
  Conv2DBackpropFilter: (_, a) => a.filterShape,
};

function registerTraceBackend(): void {
  if (tf.findBackendFactory(TRACE_BACKEND)) return;
  tf.registerBackend(TRACE_BACKEND, tf.findBackendFactory('cpu'));
  for (const config of tf.getKernelsForBackend('cpu')) {
    const shapeOf = SHAPE_ONLY[config.kernelName];
    const kernelFunc: tf.KernelFunc = shapeOf
      ? ({ inputs, attrs, backend }) => {
          const shape = shapeOf(inputs as tf.NamedTensorInfoMap, attrs as unknown as ConvAttrs);
          return (backend as unknown as { makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo }).makeTensorInfo(
            shape,
            'float32',
            new Float32Array(shape.reduce((a, b) => a * b, 1)),
          );
        }
      : config.kernelFunc;
    tf.registerKernel({ ...config, backendName: TRACE_BACKEND, kernelFunc });
  }
}

/** Traces `model` at `width` (bench:train's meaning); `withStep` also traces the backward pass. Leaves the cpu backend active. */
export async function traceModelFlops(model: ModelName, width: number, withStep: boolean): Promise<ModelFlops> {
  registerTraceBackend();
  // The model is built with real arithmetic: airbench's whitening layer needs real convolutions.
  if (!(await tf.setBackend('cpu'))) throw new Error('the tfjs cpu backend is not available');
  const net = await createModel(model, modelWidth(model, width), 1, makeSyntheticSet(WHITENING_IMAGES, 1));
  await tf.setBackend(TRACE_BACKEND);
  const images = tf.randomNormal([1, 32, 32, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const labels = tf.oneHot(tf.tensor1d([3], 'int32'), CLASSES);
  const results: tf.TensorContainer[] = [];
  try {
    const forward = await tf.profile(() => net.forward(images, true));
    results.push(forward.result);
    const flops: ModelFlops = { model, width, forwardPerImage: tallyFlops(forward.kernels) };
    if (withStep) {
      const variables = net.params.map((p) => p.variable);
      const step = await tf.profile(() => {
        const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, net.forward(images, true)) as tf.Scalar, variables);
        return [value, ...Object.values(grads)];
      });
      results.push(step.result);
      flops.tracedStepPerImage = tallyFlops(step.kernels);
    }
    return flops;
  } finally {
    tf.dispose([images, labels, ...results]);
    net.dispose();
    await tf.setBackend('cpu');
  }
}
