import * as tf from '@tensorflow/tfjs';
import type { GemmTiles } from './conv-gemm';

/** The convolution both gradient kernels see, NHWC, after tfjs resolved its padding. */
export interface ConvGeometry {
  /** x: [batch, inH, inW, inC]. */
  inShape: [number, number, number, number];
  /** [filterH, filterW, inC, outC]. */
  filterShape: [number, number, number, number];
  /** dy: [batch, outH, outW, outC]. */
  outShape: [number, number, number, number];
  strides: [number, number];
  /** Top and left padding (bottom and right follow from the shapes). */
  pads: [number, number];
}

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;

/**
 * The geometry of an NHWC, undilated, ungrouped convolution, or null when tfjs's attributes
 * describe anything else (NCHW, a filter whose input channels differ from x's, a shape tfjs itself
 * would reject): the caller then hands the case to the stock kernel.
 */
export function convGeometry(
  inShape: number[],
  filterShape: number[],
  strides: number | [number, number],
  pad: Pad,
  dataFormat: string | undefined,
  dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined,
): ConvGeometry | null {
  if (dataFormat !== undefined && dataFormat !== 'NHWC') return null;
  if (inShape.length !== 4 || filterShape.length !== 4 || inShape[3] !== filterShape[2]) return null;
  let info: tf.backend_util.Conv2DInfo;
  try {
    info = tf.backend_util.computeConv2DInfo(inShape as [number, number, number, number], filterShape as [number, number, number, number], strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  } catch {
    return null;
  }
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return null;
  const sizes = [...info.inShape, ...info.filterShape, ...info.outShape];
  if (!sizes.every((s) => Number.isInteger(s) && s > 0)) return null;
  return {
    inShape: info.inShape,
    filterShape: info.filterShape as [number, number, number, number],
    outShape: info.outShape,
    strides: [info.strideHeight, info.strideWidth],
    pads: [info.padInfo.top, info.padInfo.left],
  };
}

/** `g` when `dy` is the gradient of its output (float32, the output's shape), else null: a gradient kernel's inputs checked against its attributes. */
export function matchingOutputGradient(g: ConvGeometry | null, dy: tf.TensorInfo | undefined): ConvGeometry | null {
  if (!g || !dy || dy.dtype !== 'float32') return null;
  const expected = [g.inShape[0], g.outShape[1], g.outShape[2], g.filterShape[3]];
  return dy.shape.length === 4 && dy.shape.every((d, i) => d === expected[i]) ? g : null;
}

/** A convolution layer's identity for tile tables and autotuning: shapes, strides and pads. */
export function geometryKey(g: ConvGeometry): string {
  return `${g.inShape.join('x')}|${g.filterShape.join('x')}|s${g.strides.join('x')}|p${g.pads.join('x')}`;
}

/** Counts of the calls each override handled itself and the ones it handed to tfjs's kernel. */
export const convGradCalls = {
  forwardOwn: 0,
  forwardStock: 0,
  filterOwn: 0,
  filterStock: 0,
  inputOwn: 0,
  inputStock: 0,
};

export function resetConvGradCalls(): void {
  convGradCalls.forwardOwn = convGradCalls.forwardStock = convGradCalls.filterOwn = convGradCalls.filterStock = convGradCalls.inputOwn = convGradCalls.inputStock = 0;
}

/** Tiles chosen per layer shape (by autotuning or by hand), consulted before the kernel's default. */
export const tunedTiles = {
  forward: new Map<string, GemmTiles>(),
  filter: new Map<string, FilterGradTiles>(),
  input: new Map<string, GemmTiles>(),
};

/** The filter gradient's tiles: the GEMM's, and how many ways K is split ('auto': from M, N and K). */
export interface FilterGradTiles extends GemmTiles {
  splitK: 'auto' | number;
}
