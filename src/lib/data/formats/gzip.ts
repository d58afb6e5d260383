import { CifarFormatError, describeError } from './errors';
import { StreamReader } from './stream-reader';

const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * Decompresses a gzip stream chunk by chunk. The magic is checked first because a
 * DecompressionStream's own error for non-gzip input ("incorrect header check") does not say what
 * the file was expected to be; stream errors are rethrown naming the archive.
 */
export function gunzipStream(source: ReadableStream<Uint8Array>, archive: string, onCompressedBytes?: (n: number) => void): ReadableStream<Uint8Array> {
  const input = new StreamReader(source);
  let checked = false;
  const compressed = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!checked) {
        const head = await input.exact(GZIP_MAGIC.length);
        checked = true;
        if (head.length < GZIP_MAGIC.length || head[0] !== GZIP_MAGIC[0] || head[1] !== GZIP_MAGIC[1]) {
          const seen = Array.from(head, (b) => b.toString(16).padStart(2, '0')).join(' ') || 'nothing';
          throw new CifarFormatError(archive, `not a gzip file (starts with ${seen}, expected 1f 8b)`);
        }
        onCompressedBytes?.(head.length);
        controller.enqueue(head.slice());
        return;
      }
      const chunk = await input.next(1 << 20);
      if (chunk === null) controller.close();
      else {
        onCompressedBytes?.(chunk.length);
        controller.enqueue(chunk);
      }
    },
    async cancel() {
      await input.cancel();
    },
  });
  const inflated = compressed.pipeThrough(new DecompressionStream('gzip') as unknown as ReadableWritablePair<Uint8Array, Uint8Array>);
  const reader = inflated.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (e) {
        if (e instanceof CifarFormatError) throw e;
        throw new CifarFormatError(archive, `gzip data is truncated or corrupt (${describeError(e)})`, { cause: e });
      }
    },
    async cancel(reason) {
      await reader.cancel(reason).catch(() => undefined);
    },
  });
}
