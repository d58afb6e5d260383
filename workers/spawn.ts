import * as Comlink from 'comlink';
import type { WorkerHandle } from '../src/lib/job/pool';
import type { TrainerApi } from '../src/lib/job/trainer-api';

/** Starts a real trainer Web Worker behind Comlink. */
export function spawnTrainer(): WorkerHandle {
  const worker = new Worker(new URL('./trainer.worker.ts', import.meta.url), { type: 'module', name: 'trainer' });
  const api = Comlink.wrap<TrainerApi>(worker);
  const crashed = new Promise<string>((resolve) => {
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      resolve(event.message || 'the worker stopped with an error');
    });
    worker.addEventListener('messageerror', () => resolve('a message from the worker could not be read'));
  });
  return {
    api: {
      init: () => api.init(),
      train: (spec, onEvent) => api.train(spec, Comlink.proxy(onEvent)),
      stop: () => api.stop(),
    },
    crashed,
    terminate: () => {
      api[Comlink.releaseProxy]();
      worker.terminate();
    },
  };
}
