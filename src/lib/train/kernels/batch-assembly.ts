import * as tf from '@tensorflow/tfjs';
import { CHANNELS, CLASSES, IMAGE_SIZE, PIXELS_PER_IMAGE } from '../../data/image-set';
import type { Placement } from '../augment';
import { CIFAR_MEAN, CIFAR_STD } from '../batch';
import { BATCH_FIELDS, packBatch } from '../resident-chunks';
import type { ResidentSet } from '../resident-data';
import { flatDispatch, runProgram, type Program } from './program';

/**
 * A training batch built from the resident set in two dispatches: one writes the normalized,
 * shifted (reflect padding), mirrored and cut-out float32 NHWC images, one the one-hot targets.
 * The same arithmetic as `augment(uploadImages(...))` and `tf.oneHot`, element for element:
 * (byte − mean) / std in f32, then the source pixel chosen by the same reflection, and exact zeros
 * in the cutout square.
 */

const FIELDS = BATCH_FIELDS.length;
const field = (name: (typeof BATCH_FIELDS)[number]) => BATCH_FIELDS.indexOf(name);

/** An f32 constant written as its exact decimal value, so the shader compiler has no rounding to choose. */
function f32Literal(value: number): string {
  const text = String(Math.fround(value));
  return text.includes('.') || text.includes('e') ? text : `${text}.0`;
}

/** Per channel c (0, 1, 2): the WGSL expression picking one of three constants. */
function perChannel(values: number[]): string {
  const [a, b, c] = values.map(f32Literal);
  return `select(select(${c}, ${b}, c == 1), ${a}, c == 0)`;
}

function imagesProgram(batch: number, chunks: number): Program {
  const chunkNames = Array.from({ length: chunks }, (_, i) => `Chunk${i}`);
  // Every chunk is read in some branch: a binding the shader never reads is dropped from its layout.
  const read = chunkNames.map((name, i) => (i === chunks - 1 ? `{ word = ${name}[at]; }` : `if (chunk == ${i}) { word = ${name}[at]; } else `)).join('');
  const last = IMAGE_SIZE - 1;
  return {
    variableNames: [...chunkNames, 'Batch'],
    outputShape: [batch, IMAGE_SIZE, IMAGE_SIZE, CHANNELS],
    shaderKey: `tabtune_batch_images_${chunks}`,
    dispatchLayout: { x: [0, 1, 2, 3] },
    ...flatDispatch(batch * PIXELS_PER_IMAGE),
    uniforms: 'cutoutSize : i32,',
    getUserCode: () => `
      fn sourceByte(chunk : i32, byteIndex : i32) -> i32 {
        let at = byteIndex >> 2u;
        var word = 0;
        ${read}
        return (word >> u32((byteIndex & 3) * 8)) & 255;
      }

      // The same reflection as augment.ts: -1 → 1, size → size − 2.
      fn reflectCoord(i : i32) -> i32 {
        return ${last} - abs(${last} - abs(i));
      }

      fn main(index : i32) {
        if (index < uniforms.size) {
          let c = index % ${CHANNELS};
          let pixel = index / ${CHANNELS};
          let x = pixel % ${IMAGE_SIZE};
          let y = (pixel / ${IMAGE_SIZE}) % ${IMAGE_SIZE};
          let row = (pixel / ${IMAGE_SIZE * IMAGE_SIZE}) * ${FIELDS};
          let chunk = Batch[row + ${field('chunk')}];
          let slot = Batch[row + ${field('local')}];
          let mirroredX = select(x, ${last} - x, Batch[row + ${field('flip')}] != 0);
          let sy = reflectCoord(y + Batch[row + ${field('dy')}]);
          let sx = reflectCoord(mirroredX + Batch[row + ${field('dx')}]);
          let raw = sourceByte(chunk, slot * ${PIXELS_PER_IMAGE} + (sy * ${IMAGE_SIZE} + sx) * ${CHANNELS} + c);
          var value = (f32(raw) - ${perChannel(CIFAR_MEAN)}) / ${perChannel(CIFAR_STD)};
          let cy = Batch[row + ${field('cutoutY')}];
          let cx = Batch[row + ${field('cutoutX')}];
          let size = uniforms.cutoutSize;
          if (y >= cy && y < cy + size && x >= cx && x < cx + size) {
            value = 0.0;
          }
          setOutputAtIndex(index, value);
        }
      }
    `,
  };
}

function targetsProgram(batch: number): Program {
  return {
    variableNames: ['Labels', 'Batch'],
    outputShape: [batch, CLASSES],
    shaderKey: 'tabtune_batch_targets',
    dispatchLayout: { x: [0, 1] },
    ...flatDispatch(batch * CLASSES),
    getUserCode: () => `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let image = Batch[(index / ${CLASSES}) * ${FIELDS} + ${field('index')}];
          let label = (Labels[image >> 2u] >> u32((image & 3) * 8)) & 255;
          setOutputAtIndex(index, select(0.0, 1.0, label == index % ${CLASSES}));
        }
      }
    `,
  };
}

/**
 * The step's images and one-hot targets from the resident set: the batch's indices and
 * placements travel as one small int32 upload. Every tensor made here but the two returned is
 * disposed.
 */
export function assembleBatch(resident: ResidentSet, indices: ArrayLike<number>, placement: Placement): { images: tf.Tensor4D; targets: tf.Tensor2D } {
  const n = indices.length;
  return tf.tidy(() => {
    const batch = tf.tensor1d(packBatch(resident.plan, indices, placement), 'int32');
    const { chunks, labels } = resident.views();
    const cutoutSize = placement.cutout?.size ?? 0;
    const images = runProgram<tf.Rank.R4>(imagesProgram(n, chunks.length), [...chunks, batch], [{ type: 'int32', data: [cutoutSize] }]);
    const targets = runProgram<tf.Rank.R2>(targetsProgram(n), [labels, batch]);
    return { images, targets };
  });
}

/**
 * An evaluation batch from a resident set: the images as they are (no shift, flip or cutout), and
 * their labels as int32 (the one-hot targets' argmax), for the accuracy count.
 */
export function assembleEvalBatch(resident: ResidentSet, indices: ArrayLike<number>): { images: tf.Tensor4D; labels: tf.Tensor1D } {
  const n = indices.length;
  const unmoved: Placement = { dy: new Int32Array(n), dx: new Int32Array(n), flip: new Uint8Array(n) };
  return tf.tidy(() => {
    const { images, targets } = assembleBatch(resident, indices, unmoved);
    return { images, labels: tf.argMax(targets, 1) as tf.Tensor1D };
  });
}

/** The trial log's words for the batch assembly. */
export function describeBatchAssembly(resident: ResidentSet): string {
  return `training set resident on the GPU (${resident.plan.chunks.length} buffer${resident.plan.chunks.length === 1 ? '' : 's'}, ${(resident.bytes / 1e6).toFixed(1)} MB), batch assembled in 2 dispatches`;
}
