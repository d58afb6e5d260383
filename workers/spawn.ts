import * as Comlink from 'comlink';
import type { DataApi } from '../src/lib/data/loader-api';
import type { WorkerHandle } from '../src/lib/job/pool';
import type { TrainerApi } from '../src/lib/job/trainer-api';
import { connectWorker, type WorkerConnection } from './connect';
import type { TunerWorkerApi } from './tuner.worker';
import type { RegexProbeApi } from './regex-probe.worker';

// Each worker is named by a literal `new URL(…, import.meta.url)`: that is how Vite finds and bundles it.

/** A trainer worker, shaped as the pool's handle. */
export function spawnTrainer(): WorkerHandle {
  const worker = new Worker(new URL('./trainer.worker.ts', import.meta.url), { type: 'module', name: 'trainer' });
  const { api, failed, terminate } = connectWorker<TrainerApi>(worker, 'trainer');
  return {
    api: {
      init: () => api.init(),
      train: (spec, onEvent) => api.train(spec, Comlink.proxy(onEvent)),
      stop: () => api.stop(),
    },
    failed,
    terminate,
  };
}

/** The search strategy's worker. */
export function spawnTuner(): WorkerConnection<TunerWorkerApi> {
  return connectWorker(new Worker(new URL('./tuner.worker.ts', import.meta.url), { type: 'module', name: 'tuner' }), 'tuner');
}

/** A worker that downloads, decodes and caches CIFAR-10. */
export function spawnData(): WorkerConnection<DataApi> {
  return connectWorker(new Worker(new URL('./data.worker.ts', import.meta.url), { type: 'module', name: 'data' }), 'data');
}

/** A worker that times metric regexes, where a runaway one can be killed. */
export function spawnRegexProbe(): WorkerConnection<RegexProbeApi> {
  return connectWorker(new Worker(new URL('./regex-probe.worker.ts', import.meta.url), { type: 'module', name: 'regex-probe' }), 'regex-probe');
}
