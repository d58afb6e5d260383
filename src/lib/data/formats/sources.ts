import type { AsyncBuffer } from 'hyparquet';
import type { CifarData } from './types';
import { concatBytes } from '../../bytes';

export function isStream(data: CifarData): data is ReadableStream<Uint8Array> {
  return typeof (data as ReadableStream<Uint8Array>).getReader === 'function';
}

export function isBlob(data: CifarData): data is Blob {
  return typeof Blob !== 'undefined' && data instanceof Blob;
}

/** Known size without reading, where the input has one. */
export function knownSize(data: CifarData): number | undefined {
  if (data instanceof Uint8Array) return data.length;
  if (isBlob(data)) return data.size;
  return undefined;
}

export function toStream(data: CifarData): ReadableStream<Uint8Array> {
  if (isStream(data)) return data;
  if (isBlob(data)) return data.stream() as ReadableStream<Uint8Array>;
  const bytes = data;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      // Whole-array inputs are handed on in slices so progress and limits behave as for files.
      const step = 1 << 20;
      for (let at = 0; at < bytes.length; at += step) controller.enqueue(bytes.subarray(at, at + step));
      controller.close();
    },
  });
}

export async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.length;
  }
  return concatBytes(chunks, total);
}

/**
 * Random access for the parquet reader (hyparquet's AsyncBuffer): a Blob/File is read slice by
 * slice, so only the footer and the row groups a read needs are ever loaded.
 */
export async function toAsyncBuffer(data: CifarData): Promise<AsyncBuffer> {
  if (isBlob(data)) {
    const blob = data;
    return { byteLength: blob.size, slice: (start, end) => blob.slice(start, end).arrayBuffer() };
  }
  // A one-pass stream cannot seek to the footer, so it is read into memory first.
  const bytes = data instanceof Uint8Array ? data : await readAll(data);
  return { byteLength: bytes.length, slice: (start, end = bytes.length) => bytes.slice(start, end).buffer };
}
