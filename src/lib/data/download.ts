import { concatBytes } from '../bytes';

/** Whole-file downloads with byte progress; the CIFAR hosts refuse Range and custom headers, so there are none. */

export interface DownloadProgress {
  url: string;
  received: number;
  /** From Content-Length; undefined when the server does not say. */
  total?: number;
}

export interface DownloadOptions {
  signal?: AbortSignal;
  onProgress?(progress: DownloadProgress): void;
  /** Attempts in all when a download is cut short (default 3): each restarts from byte 0. */
  attempts?: number;
  fetch?: typeof fetch;
}

export class DownloadError extends Error {
  constructor(message: string, readonly retryable = false) {
    super(message);
    this.name = 'DownloadError';
  }
}

/**
 * Downloads a file completely or not at all. A response shorter than its Content-Length is
 * never returned: it is fetched again from the start, and after the last attempt it is an error.
 */
export async function downloadFile(url: string, options: DownloadOptions = {}): Promise<Uint8Array> {
  const attempts = options.attempts ?? 3;
  let lastError: DownloadError | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await downloadOnce(url, options);
    } catch (error) {
      if (!(error instanceof DownloadError) || !error.retryable) throw error;
      lastError = error;
    }
  }
  throw new DownloadError(`${lastError!.message} Gave up after ${attempts} attempts.`);
}

async function downloadOnce(url: string, { signal, onProgress, fetch: fetchImpl = fetch }: DownloadOptions): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetchImpl(url, { signal, mode: 'cors', credentials: 'omit' });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new DownloadError(
      `Could not download ${url}: the server could not be reached, or it does not allow downloads from this page (CORS). (${(error as Error).message})`,
    );
  }
  if (!response.ok) {
    throw new DownloadError(`Could not download ${url}: the server answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`);
  }
  const length = response.headers.get('Content-Length');
  // Content-Length is the encoded size; with gzip transfer encoding the body we read is larger, so only trust it for identity.
  const encoded = (response.headers.get('Content-Encoding') ?? 'identity') !== 'identity';
  const total = length !== null && !encoded ? Number(length) : undefined;
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    onProgress?.({ url, received: bytes.length, total });
    return bytes;
  }

  const chunks: Uint8Array[] = [];
  let received = 0;
  const reader = response.body.getReader();
  onProgress?.({ url, received, total });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.length;
      onProgress?.({ url, received, total });
    }
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new DownloadError(`The download of ${url} broke off after ${formatBytes(received)}: ${(error as Error).message}.`, true);
  }
  if (total !== undefined && received < total) {
    throw new DownloadError(`The download of ${url} was cut short at ${formatBytes(received)} of ${formatBytes(total)}.`, true);
  }
  return concatBytes(chunks, received);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}
