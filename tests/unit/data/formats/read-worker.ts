/**
 * Runs the CIFAR readers in a worker thread for the mutation fuzz (fuzz.test.ts), so that a read
 * that never returns (a busy loop in synchronous code) can be stopped by terminating the thread.
 * Started through read-worker-boot.mjs, which registers tsx's loader first.
 */
import { parentPort } from 'node:worker_threads';
import { CifarFormatError, readCifarFiles } from '../../../../src/lib/data/formats';
import { CLASSES } from '../../../../src/lib/data/image-set';

export interface ReadJob {
  id: number;
  files: { name: string; data: Uint8Array; asBlob?: boolean }[];
  recordsPerBatch?: number;
  limit?: number;
}

export type ReadResult =
  | { id: number; outcome: 'decoded'; train: number; test: number; consistent: boolean; labelsInRange: boolean; verified: boolean }
  | { id: number; outcome: 'refused'; message: string }
  | { id: number; outcome: 'other-error'; name: string; message: string; stack: string | undefined }
  | { id: -1; outcome: 'unhandled-rejection'; message: string };

const port = parentPort!;

process.on('unhandledRejection', (reason) => {
  const message: ReadResult = { id: -1, outcome: 'unhandled-rejection', message: reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason) };
  port.postMessage(message);
});

port.on('message', async (job: ReadJob) => {
  let result: ReadResult;
  try {
    const files = job.files.map((f) => ({ name: f.name, data: f.asBlob ? new Blob([f.data as BlobPart]) : f.data }));
    const data = await readCifarFiles(files, { recordsPerBatch: job.recordsPerBatch, limit: job.limit });
    const sets = [data.train, data.test];
    result = {
      id: job.id,
      outcome: 'decoded',
      train: data.train.count,
      test: data.test.count,
      consistent: sets.every((s) => s.images.length === s.count * 3072 && s.labels.length === s.count),
      labelsInRange: sets.every((s) => s.labels.every((l) => l < CLASSES)),
      verified: data.verified,
    };
  } catch (e) {
    result =
      e instanceof CifarFormatError
        ? { id: job.id, outcome: 'refused', message: e.message }
        : { id: job.id, outcome: 'other-error', name: e instanceof Error ? e.name : typeof e, message: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? e.stack : undefined };
  }
  port.postMessage(result);
});
