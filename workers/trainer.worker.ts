/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { currentGpuDevice, initBackend, type BackendInfo } from '../src/lib/train/backend';
import { loadTrainData } from '../src/lib/train/data';
import { readTrainConfig } from '../src/lib/train/hyperparameters';
import { train, type TrainData } from '../src/lib/train/loop';
import type { TrainerApi } from './trainer-api';

let backend: Promise<BackendInfo> | undefined;
let stopRequested = false;
let deviceLost: string | undefined;
const dataCache = new Map<string, TrainData>();

const api: TrainerApi = {
  init(order) {
    backend ??= initBackend(order).then((info) => {
      currentGpuDevice()?.lost.then((loss) => {
        deviceLost = `The GPU device was lost (${loss.reason}${loss.message ? `: ${loss.message}` : ''}).`;
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
      const key = `${config.data}:${config.trainSize}:${config.valSize}:${config.testSize}`;
      if (!dataCache.has(key)) dataCache.set(key, loadTrainData(config));
      let steps = 0;
      const outcome = await train(config, dataCache.get(key)!, spec.seed, {
        log: (line) => void onEvent({ type: 'log', line }),
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

Comlink.expose(api);
