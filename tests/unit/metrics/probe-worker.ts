/**
 * The regex probe in a Node worker thread, as the page runs it in a Web Worker
 * (workers/regex-probe.worker.ts): started through ../data/formats/read-worker-boot.mjs.
 */
import { parentPort } from 'node:worker_threads';
import { sampleLines, timeRegex } from '../../../src/lib/metrics';

const port = parentPort!;
port.on('message', (source: string) => port.postMessage(timeRegex(source, sampleLines(source))));
port.postMessage('ready');
