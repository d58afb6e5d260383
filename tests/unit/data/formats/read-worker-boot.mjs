// Worker entry for read-worker.ts: Node 20 does not apply `--import tsx` from a worker's execArgv
// to the worker's own entry, so tsx's loader is registered here before the TypeScript is imported.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
