import { CifarFormatError, describeError, formatCount } from './errors';
import { StreamReader } from './stream-reader';

const GZIP_MAGIC = [0x1f, 0x8b];

/** zlib's messages for a trailer mismatch (CRC-32, ISIZE); Chromium prefixes them. */
const TRAILER_MISMATCH = /incorrect (data|length) check/i;
/** Chromium's message for any byte after the gzip member. */
const TRAILING_DATA = /junk found after end of compressed data/i;
const NOT_THE_END = 'the gzip stream does not end where the file ends';

/**
 * Decompresses a gzip stream chunk by chunk. DecompressionStream checks the CRC-32 and length in
 * the gzip trailer, but only once it is read to its end, so callers must drain the stream. The
 * magic is checked first because a DecompressionStream's own error for non-gzip input ("incorrect
 * header check") does not say what the file was expected to be; stream errors are rethrown naming
 * the archive.
 *
 * What follows the first gzip member differs by platform: Chromium refuses any byte after it,
 * Node 20 decompresses a second member as if it continued the first and ignores trailing zero
 * bytes. So the end is checked here too: the file's last four bytes must be the ISIZE of all the
 * data decompressed (its length mod 2^32), which holds only when the single member ends where the
 * file ends.
 */
export function gunzipStream(source: ReadableStream<Uint8Array>, archive: string, onCompressedBytes?: (n: number) => void): ReadableStream<Uint8Array> {
  const input = new StreamReader(source);
  let checked = false;
  const tail = new Uint8Array(8);
  let compressedBytes = 0;
  const remember = (chunk: Uint8Array): void => {
    compressedBytes += chunk.length;
    if (chunk.length >= 8) tail.set(chunk.subarray(chunk.length - 8));
    else {
      tail.copyWithin(0, chunk.length);
      tail.set(chunk, 8 - chunk.length);
    }
  };
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
        remember(head);
        controller.enqueue(head.slice());
        return;
      }
      const chunk = await input.next(1 << 20);
      if (chunk === null) controller.close();
      else {
        onCompressedBytes?.(chunk.length);
        remember(chunk);
        controller.enqueue(chunk);
      }
    },
    async cancel() {
      await input.cancel();
    },
  });
  const inflated = compressed.pipeThrough(new DecompressionStream('gzip') as unknown as ReadableWritablePair<Uint8Array, Uint8Array>);
  const reader = inflated.getReader();
  let decompressed = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (e) {
        if (e instanceof CifarFormatError) throw e;
        const detail = describeError(e);
        if (TRAILER_MISMATCH.test(detail)) throw new CifarFormatError(archive, `gzip CRC-32 / length check failed (${detail})`, { cause: e });
        if (TRAILING_DATA.test(detail)) throw new CifarFormatError(archive, `${NOT_THE_END} (${detail})`, { cause: e });
        throw new CifarFormatError(archive, `gzip data is truncated or corrupt (${detail})`, { cause: e });
      }
      if (!result.done) {
        decompressed += result.value.length;
        controller.enqueue(result.value);
        return;
      }
      const isize = (tail[4] | (tail[5] << 8) | (tail[6] << 16) | (tail[7] << 24)) >>> 0;
      if (compressedBytes < 18 || isize !== decompressed % 2 ** 32) {
        throw new CifarFormatError(
          archive,
          `${NOT_THE_END}: the file's last 4 bytes give a length of ${formatCount(isize)} bytes ` +
            `but ${formatCount(decompressed)} were decompressed (trailing data, or a second gzip member)`,
        );
      }
      controller.close();
    },
    async cancel(reason) {
      await reader.cancel(reason).catch(() => undefined);
    },
  });
}
