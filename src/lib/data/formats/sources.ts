import type { CifarData } from './types';
import { concatBytes } from '../../bytes';

/** A byte range reader; lets the parquet reader fetch one row group at a time from a Blob/File. */
export interface RandomAccess {
  size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

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

export async function toRandomAccess(data: CifarData): Promise<RandomAccess> {
  if (isBlob(data)) {
    const blob = data;
    return {
      size: blob.size,
      read: async (offset, length) => new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer()),
    };
  }
  // A one-pass stream cannot seek to the footer, so it is read into memory first.
  const bytes = data instanceof Uint8Array ? data : await readAll(data);
  return { size: bytes.length, read: async (offset, length) => bytes.subarray(offset, offset + length) };
}

/** Runs bytes through a web-platform (de)compression transform. */
export async function transformBytes(bytes: Uint8Array, transform: DecompressionStream | CompressionStream): Promise<Uint8Array> {
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
  return readAll(source.pipeThrough(transform as unknown as ReadableWritablePair<Uint8Array, Uint8Array>));
}
