/**
 * Arithmetic of a training step, counted from the shapes of the conv and matmul kernels tfjs ran.
 * Pure: the records come from tf.profile (trace.ts) or from a test. Only multiply-adds of convs and
 * dense layers count, each as 2 FLOPs; BatchNorm, activations, pooling and the optimizer are left
 * out, as is usual when a model's FLOPs are quoted.
 */

/** The part of a tf.profile kernel record the count needs. */
export interface KernelShapes {
  name: string;
  inputShapes: number[][];
  outputShapes: number[][];
}

/**
 * A training step costs three times its forward pass: the forward itself, the gradient with respect
 * to each layer's input and the one with respect to its weights, each as much arithmetic as the
 * forward. It slightly overcounts (the first layer needs no input gradient; a frozen layer no weight
 * gradient); trace.ts also traces a real step so the report can show by how much.
 */
export const STEP_OVER_FORWARD = 3;

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** FLOPs of one kernel run, or undefined when it is not a conv or a matmul. Filters are [kh, kw, in, out], images NHWC. */
export function kernelFlops(kernel: KernelShapes): number | undefined {
  const { name, inputShapes: ins, outputShapes: outs } = kernel;
  const window = (filter: number[]) => filter[0] * filter[1];
  switch (name) {
    // Each output value is a dot product over kh·kw·in inputs.
    case 'Conv2D':
    case 'FusedConv2D': {
      const filter = ins[1];
      return 2 * size(outs[0]) * window(filter) * filter[2];
    }
    // The transposed conv: each dy value reaches kh·kw·in input positions.
    case 'Conv2DBackpropInput': {
      const [dy, filter] = ins;
      return 2 * size(dy) * window(filter) * filter[2];
    }
    // Each filter weight sums over every dy position: as many products as the forward.
    case 'Conv2DBackpropFilter': {
      const [, dy] = ins;
      const filter = outs[0];
      return 2 * size(dy) * window(filter) * filter[2];
    }
    // Depthwise: each output value sums over its window of one channel only.
    case 'DepthwiseConv2dNative':
    case 'FusedDepthwiseConv2D':
      return 2 * size(outs[0]) * window(ins[1]);
    case 'DepthwiseConv2dNativeBackpropInput':
      return 2 * size(ins[0]) * window(ins[1]);
    case 'DepthwiseConv2dNativeBackpropFilter':
      return 2 * size(ins[1]) * window(outs[0]);
    case 'BatchMatMul':
    case '_FusedMatMul': {
      // Whatever the transposes, a's matrix holds M·K values and the output's M·N.
      const a = ins[0];
      const out = outs[0];
      const [m, n] = out.slice(-2);
      const k = (a.at(-1)! * a.at(-2)!) / m;
      return 2 * size(out) * k;
    }
    default:
      return undefined;
  }
}

export interface FlopTally {
  total: number;
  /** FLOPs and runs per kernel name, for the report: which kernels the count rests on. */
  byKernel: Record<string, { runs: number; flops: number }>;
}

export function tallyFlops(kernels: readonly KernelShapes[]): FlopTally {
  const tally: FlopTally = { total: 0, byKernel: {} };
  for (const kernel of kernels) {
    const flops = kernelFlops(kernel);
    if (flops === undefined) continue;
    tally.total += flops;
    const entry = (tally.byKernel[kernel.name] ??= { runs: 0, flops: 0 });
    entry.runs += 1;
    entry.flops += flops;
  }
  return tally;
}

/** FLOPs of one training step on `batch` images by the 3 × forward convention. */
export function stepFlops(forwardPerImage: number, batch: number): number {
  return STEP_OVER_FORWARD * forwardPerImage * batch;
}

/** Achieved rate in TFLOP/s: `flops` done in `ms` milliseconds. */
export function teraflopsPerSecond(flops: number, ms: number): number {
  return flops / (ms / 1000) / 1e12;
}
