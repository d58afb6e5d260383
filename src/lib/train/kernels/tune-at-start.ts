import * as tf from '@tensorflow/tfjs';
import { CHANNELS, IMAGE_SIZE } from '../../data/image-set';
import type { Model } from '../models/model';
import { autotuneConvGradients, backendAdapter, isSoftwareAdapter, recordConvLayers, type TileCache } from './conv-autotune';
import { customKernelsActive } from './registry';

/**
 * Picks the convolution gradients' tiles for this model and batch on this adapter before the
 * trial's first step: from this worker's memory or the cache when an earlier trial timed them,
 * else by timing (within 2 s per kernel). Returns the phrase the trial's Kernels line carries.
 * Software adapters keep the default tiles without running anything: what is fastest on a CPU
 * says nothing about a GPU, and tests run there.
 */
export async function tuneConvTilesAtStart(model: Model, batchSize: number, cache?: TileCache): Promise<string | undefined> {
  if (!customKernelsActive()) return undefined;
  if (isSoftwareAdapter(backendAdapter())) return 'conv tiles: defaults (software adapter, no autotune)';
  // An evaluation pass runs the same convolutions as a training one and leaves the running statistics alone.
  const layers = recordConvLayers(() => {
    tf.tidy(() => {
      model.forward(tf.zeros([batchSize, IMAGE_SIZE, IMAGE_SIZE, CHANNELS]), false);
    });
  });
  const report = await autotuneConvGradients(layers, { cache });
  const where = { timed: 'timed now', memory: 'timed earlier in this worker', cache: 'from the cache', skipped: 'defaults' }[report.source];
  return `conv tiles: autotuned for ${layers.length} layer shapes (${where})${report.reason ? `, ${report.reason}` : ''}`;
}
