/// <reference lib="webworker" />
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import type { BackendInfo } from '../src/lib/device/backend-info';
import { currentGpuDevice, initBackend } from '../src/lib/train/backend';
import { useKernels } from '../src/lib/train/kernels/registry';
import { idbTileCache } from '../src/lib/store/tile-cache';
import { DatasetCache } from '../src/lib/data/cache';
import { splitDataset, syntheticSplits, type DataSplits } from '../src/lib/data/splits';
import type { ImageDataset } from '../src/lib/data/image-set';
import { readTrainConfig, type TrainConfig } from '../src/lib/recipe/hyperparameters';
import { train } from '../src/lib/train/loop';
import { retainResidentData } from '../src/lib/train/resident-data';
import { CIFAR10_CACHE_KEY } from '../src/lib/data/loader-api';
import type { TrainerApi } from '../src/lib/job/trainer-api';
import { exposeToPage, reportFatal } from './expose';

let backend: Promise<BackendInfo> | undefined;
let stopRequested = false;
let deviceLost: string | undefined;
const syntheticData = new Map<string, DataSplits>();
/** CIFAR-10 is read from the browser cache once per worker and reused by its later trials. */
let cifar10: Promise<ImageDataset> | undefined;

function loadCifar10(): Promise<ImageDataset> {
  cifar10 ??= new DatasetCache().load(CIFAR10_CACHE_KEY).then((cached) => {
    if (!cached) throw new Error("CIFAR-10 is not in this browser's cache: load it in the Data panel first.");
    return cached.dataset;
  });
  cifar10.catch(() => (cifar10 = undefined));
  return cifar10;
}

async function splitsFor(config: TrainConfig): Promise<DataSplits> {
  if (config.data === 'cifar10') return splitDataset(await loadCifar10(), { valSize: config.valSize, limit: config.limit });
  const sizes = { train: config.trainSize, val: config.valSize, test: config.testSize };
  const key = `${sizes.train}:${sizes.val}:${sizes.test}`;
  if (!syntheticData.has(key)) syntheticData.set(key, syntheticSplits(sizes));
  return syntheticData.get(key)!;
}

/** Autotuned convolution tiles persist per adapter, so only a worker's first trial on a new GPU times them. */
const tileCache = idbTileCache();

const api: TrainerApi = {
  init(order) {
    backend ??= initBackend(order).then((info) => {
      currentGpuDevice()?.lost.then((loss) => {
        deviceLost = `The GPU device was lost (${loss.reason}${loss.message ? `: ${loss.message}` : ''}).`;
        reportFatal(deviceLost);
      });
      return info;
    });
    return backend;
  },

  async train(spec, onEvent) {
    await api.init();
    stopRequested = false;
    const tensorsBefore = tf.memory().numTensors;
    const result = (status: 'completed' | 'stopped' | 'failed', reason?: string) => ({
      status,
      reason,
      tensorsBefore,
      tensorsAfter: tf.memory().numTensors,
      unusable: deviceLost !== undefined,
    });
    try {
      const config = readTrainConfig(spec.hyperparameters);
      useKernels(config.kernels);
      const data = await splitsFor(config);
      // The training set stays on the GPU for the worker's next trials on the same data; other data frees it.
      retainResidentData(data.train);
      let steps = 0;
      const outcome = await train(config, data, spec.seed, {
        log: (line) => void onEvent({ type: 'log', line }),
        onProgress: (progress) => void onEvent({ type: 'progress', progress }),
        tileCache,
        shouldStop: () => {
          if (deviceLost) throw new Error(deviceLost);
          if (++steps === 2) injectFault(config.fault);
          return stopRequested;
        },
      });
      return result(outcome.status);
    } catch (error) {
      return result('failed', deviceLost ?? (error as Error).message);
    }
  },

  stop() {
    stopRequested = true;
  },
};

/** Test hooks for the pool's recovery paths, reached only through the `fault` hyperparameter. */
function injectFault(fault: string): void {
  if (fault === 'crash') setTimeout(() => { throw new Error('Injected crash'); });
  if (fault === 'device-lost') currentGpuDevice()?.destroy();
}

exposeToPage(api);
