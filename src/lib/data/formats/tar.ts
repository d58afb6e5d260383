import { CifarFormatError, formatCount } from './errors';
import type { StreamReader } from './stream-reader';

const BLOCK = 512;
const utf8 = new TextDecoder();

/** One regular file in a tar stream; its data must be read before the iterator moves on (or is skipped). */
export interface TarEntry {
  name: string;
  size: number;
  /** Up to `max` bytes of the entry's data, null after its last byte. */
  read(max: number): Promise<Uint8Array | null>;
}

function cString(block: Uint8Array, from: number, length: number): string {
  const field = block.subarray(from, from + length);
  const end = field.indexOf(0);
  return utf8.decode(end < 0 ? field : field.subarray(0, end));
}

function octal(block: Uint8Array, from: number, length: number): number {
  // GNU tar stores sizes of 8 GiB and more in base-256, flagged by the high bit.
  if (block[from] & 0x80) {
    let value = block[from] & 0x7f;
    for (let i = 1; i < length; i++) value = value * 256 + block[from + i];
    return value;
  }
  const text = cString(block, from, length).trim();
  if (!/^[0-7]*$/.test(text)) return NaN;
  return text === '' ? 0 : parseInt(text, 8);
}

function checksumOk(block: Uint8Array): boolean {
  const stored = octal(block, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i];
  return sum === stored;
}

/** pax records are "<length> <key>=<value>\n"; only path and size matter for reading files. */
function parsePax(data: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space < 0) break;
    const length = parseInt(utf8.decode(data.subarray(at, space)), 10);
    if (!(length > 0)) break;
    const record = utf8.decode(data.subarray(space + 1, at + length - 1));
    const eq = record.indexOf('=');
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    at += length;
  }
  return out;
}

/**
 * Regular-file entries of a ustar / GNU / pax tar stream, in archive order. Long names from pax
 * ('x') and GNU ('L') records are applied to the next entry; other metadata and non-file entries
 * are skipped. Whatever a consumer leaves unread of an entry is skipped when it asks for the next.
 */
export async function* tarEntries(input: StreamReader, archive: string): AsyncGenerator<TarEntry> {
  let longName: string | undefined;
  let paxSize: number | undefined;
  for (;;) {
    const headerAt = input.position;
    const block = await input.exact(BLOCK);
    if (block.length === 0) return; // no end-of-archive blocks: tolerated, the data was complete
    if (block.length < BLOCK) throw new CifarFormatError(archive, `tar stream is truncated inside a header at byte ${formatCount(headerAt)}`);
    if (block.every((b) => b === 0)) {
      await expectOnlyZeros(input, archive);
      return;
    }
    if (!checksumOk(block)) {
      throw new CifarFormatError(archive, `not a tar archive, or corrupt tar header at byte ${formatCount(headerAt)} (checksum mismatch)`);
    }
    const type = String.fromCharCode(block[156]);
    const posix = cString(block, 257, 6) === 'ustar' && block[262] === 0;
    const prefix = posix ? cString(block, 345, 155) : '';
    const headerName = prefix ? `${prefix}/${cString(block, 0, 100)}` : cString(block, 0, 100);
    const size = paxSize ?? octal(block, 124, 12);
    if (!Number.isFinite(size)) throw new CifarFormatError(archive, `corrupt tar header at byte ${formatCount(headerAt)} (size field)`);
    const name = longName ?? headerName;
    const padded = Math.ceil(size / BLOCK) * BLOCK;

    if (type === 'x' || type === 'L') {
      const data = await input.exact(size);
      if (data.length < size) throw truncated(archive, `${type === 'x' ? 'pax' : 'long-name'} record for ${headerName}`, data.length, size);
      await input.skip(padded - size);
      if (type === 'L') longName = cString(data, 0, data.length);
      else {
        const pax = parsePax(data);
        if (pax.has('path')) longName = pax.get('path');
        if (pax.has('size')) paxSize = Number(pax.get('size'));
      }
      continue;
    }
    longName = undefined;
    paxSize = undefined;

    let remaining = size;
    if (type === '0' || type === '\0' || type === '7') {
      const entry: TarEntry = {
        name,
        size,
        async read(max) {
          if (remaining === 0) return null;
          const chunk = await input.next(Math.min(max, remaining));
          if (chunk === null) throw truncated(archive, `entry ${name}`, size - remaining, size);
          remaining -= chunk.length;
          return chunk;
        },
      };
      yield entry;
    }
    const skipped = await input.skip(remaining);
    if (skipped < remaining) throw truncated(archive, `entry ${name}`, size - remaining + skipped, size);
    // Missing padding after complete data is tolerated like missing end blocks.
    await input.skip(padded - size);
  }
}

/**
 * Reads the rest of the stream after the first end-of-archive block: tar allows only zeros there
 * (the second end block and the padding to the record size, 10,240 bytes for GNU tar). Reading it
 * also takes a compressed stream to its end, where its checksum is verified.
 */
async function expectOnlyZeros(input: StreamReader, archive: string): Promise<void> {
  for (;;) {
    const at = input.position;
    const chunk = await input.next(1 << 20);
    if (chunk === null) return;
    const i = chunk.findIndex((b) => b !== 0);
    if (i >= 0) throw new CifarFormatError(archive, `non-zero data after the end of the tar archive (at byte ${formatCount(at + i)} of the tar stream)`);
  }
}

function truncated(archive: string, what: string, got: number, want: number): CifarFormatError {
  return new CifarFormatError(archive, `tar stream is truncated: ${what} ends after ${formatCount(got)} of ${formatCount(want)} bytes`);
}
