/** The benchmark's page: the engines bundled for Chromium, driven from Node through `window.tabtuneTrainBench`. */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import type { ModelName } from '../../src/lib/recipe/hyperparameters';
import { adapterName, createRunner, timeSteps, type Runner } from './engines';
import type { EngineName } from './options';

let runner: Runner | undefined;

const api = {
  /** Starts the backend asked for; reports what tfjs actually runs on (it may have fallen back). */
  async start(backend: string): Promise<{ backend: string; adapter: string; error?: string }> {
    let error: string | undefined;
    try {
      if (!(await tf.setBackend(backend))) error = `tf.setBackend('${backend}') returned false`;
      await tf.ready();
    } catch (e) {
      error = (e as Error).message;
    }
    return { backend: tf.getBackend() ?? '', adapter: tf.getBackend() ? adapterName() : '', error };
  },
  async init(engine: EngineName, model: ModelName, width: number, batch: number): Promise<{ params: number; backend: string }> {
    runner?.dispose();
    runner = await createRunner(engine, model, width, batch);
    return { params: runner.params, backend: tf.getBackend() };
  },
  async block(steps: number): Promise<{ msPerStep: number; backend: string }> {
    return { msPerStep: await timeSteps(runner!, steps), backend: tf.getBackend() };
  },
  dispose(): void {
    runner?.dispose();
    runner = undefined;
  },
};

(globalThis as unknown as { tabtuneTrainBench: typeof api }).tabtuneTrainBench = api;
export type PageApi = typeof api;
