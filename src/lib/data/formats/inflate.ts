/**
 * zlib (RFC 1950) / deflate (RFC 1951) decompressor for small buffers of known output size.
 * It exists because a PNG is ~3 KB: a DecompressionStream per image costs far more in stream
 * set-up than in inflating (see docs/DATA.md for the measurements). Huffman codes are decoded
 * through a 10-bit lookup table per code, with a canonical slow path for the rare longer codes.
 * Throws plain Errors; callers add the file and row.
 */
import { adler32 } from './crc32';

const LENGTH_BASE = new Uint16Array([3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]);
const LENGTH_EXTRA = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]);
const DIST_BASE = new Uint16Array([1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]);
const DIST_EXTRA = new Uint8Array([0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]);
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** Longest code resolved by one table lookup; longer (rare) codes take the canonical slow path. */
const PRIMARY_BITS = 10;

/** Each PRIMARY_BITS-bit number with its bits in reverse order. */
const REVERSED = Uint16Array.from({ length: 1 << PRIMARY_BITS }, (_, n) => {
  let rev = 0;
  for (let i = 0; i < PRIMARY_BITS; i++) rev = (rev << 1) | ((n >>> i) & 1);
  return rev;
});

/**
 * Entries are (symbol << 4) | code length; length 0 marks a prefix of a longer code (or no code),
 * resolved from the canonical `count`/`symbols` description.
 */
interface Table {
  entries: Uint16Array;
  bits: number;
  count: Uint16Array;
  symbols: Uint16Array;
  maxLen: number;
}

function newTable(symbols: number): Table {
  return { entries: new Uint16Array(1 << PRIMARY_BITS), bits: 0, count: new Uint16Array(16), symbols: new Uint16Array(symbols), maxLen: 0 };
}

/**
 * Dynamic blocks rebuild their tables into these: a 3 KB PNG has one or two blocks, so fresh
 * arrays per block cost more in allocation and GC than the decoding itself. Safe because
 * inflation is synchronous and never re-entered.
 */
const scratch = { codes: newTable(19), lit: newTable(288), dist: newTable(32), lengths: new Uint8Array(320), codeLengths: new Uint8Array(19) };
const offsets = new Uint16Array(16);
const next = new Uint16Array(16);

function buildTable(lengths: Uint8Array, what: string, table: Table = newTable(lengths.length)): Table {
  const count = table.count;
  count.fill(0);
  let maxLen = 0;
  for (let i = 0; i < lengths.length; i++) {
    count[lengths[i]]++;
    if (lengths[i] > maxLen) maxLen = lengths[i];
  }
  count[0] = 0;
  let left = 1;
  for (let len = 1; len <= 15; len++) {
    left = left * 2 - count[len];
    if (left < 0) throw new Error(`inflate: over-subscribed ${what} code`);
  }
  offsets[0] = offsets[1] = 0;
  for (let len = 1; len < 15; len++) offsets[len + 1] = offsets[len] + count[len];
  const symbols = table.symbols;
  for (let sym = 0; sym < lengths.length; sym++) if (lengths[sym]) symbols[offsets[lengths[sym]]++] = sym;
  next[0] = 0;
  for (let len = 1, code = 0; len <= 15; len++) {
    code = (code + count[len - 1]) << 1;
    next[len] = code;
  }
  const bits = Math.max(1, Math.min(PRIMARY_BITS, maxLen));
  const size = 1 << bits;
  const entries = table.entries;
  entries.fill(0, 0, size);
  for (let sym = 0; sym < lengths.length; sym++) {
    const len = lengths[sym];
    if (len === 0) continue;
    const code = next[len]++;
    if (len > bits) continue;
    // Deflate sends codes most-significant bit first into an LSB-first stream, so index reversed.
    const rev = REVERSED[code] >>> (PRIMARY_BITS - len);
    const entry = (sym << 4) | len;
    for (let i = rev; i < size; i += 1 << len) entries[i] = entry;
  }
  table.bits = bits;
  table.maxLen = maxLen;
  return table;
}

let fixedTables: [Table, Table] | undefined;
function fixed(): [Table, Table] {
  if (!fixedTables) {
    const lit = new Uint8Array(288);
    lit.fill(8, 0, 144);
    lit.fill(9, 144, 256);
    lit.fill(7, 256, 280);
    lit.fill(8, 280, 288);
    fixedTables = [buildTable(lit, 'literal/length'), buildTable(new Uint8Array(30).fill(5), 'distance')];
  }
  return fixedTables;
}

/**
 * Inflates a zlib stream into `out`, which must be large enough for all of it, and verifies its
 * Adler-32 trailer; returns the bytes written.
 */
export function zlibInflateInto(input: Uint8Array, out: Uint8Array): number {
  if (input.length < 2) throw new Error('inflate: zlib header missing');
  const cmf = input[0];
  const flg = input[1];
  if ((cmf & 0x0f) !== 8 || ((cmf << 8) | flg) % 31 !== 0) throw new Error('inflate: not a zlib stream (bad header)');
  if (flg & 0x20) throw new Error('inflate: preset dictionaries are not supported');
  const n = inflateRawInto(input, 2, out);
  const at = streamEnd;
  if (at + 4 > input.length) throw new Error('inflate: zlib stream ends before its Adler-32 checksum; truncated');
  const stored = ((input[at] << 24) | (input[at + 1] << 16) | (input[at + 2] << 8) | input[at + 3]) >>> 0;
  const computed = adler32(out, 0, n);
  if (stored !== computed) throw new Error(`inflate: zlib Adler-32 check failed (stored ${hex(stored)}, computed ${hex(computed)})`);
  return n;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

/**
 * Byte offset just past the deflate data of the last inflateRawInto call. A module variable rather
 * than a returned object so that a PNG costs no allocation; inflation is synchronous.
 */
let streamEnd = 0;

/** Inflates raw deflate data from `input[start]` into `out`; returns the bytes written. */
export function inflateRawInto(input: Uint8Array, start: number, out: Uint8Array): number {
  const inLen = input.length;
  let pos = start;
  let bitBuf = 0;
  let bitCnt = 0;
  let o = 0;
  const outLen = out.length;

  // Past the end of input zero bytes are fed so a lookahead never reads undefined; running more
  // than a few bytes past it means the stream was truncated.
  const need = (n: number): void => {
    while (bitCnt < n) {
      if (pos >= inLen + 4) throw new Error('inflate: compressed data is truncated');
      bitBuf |= (pos < inLen ? input[pos] : 0) << bitCnt;
      pos++;
      bitCnt += 8;
    }
  };
  const bits = (n: number): number => {
    need(n);
    const v = bitBuf & ((1 << n) - 1);
    bitBuf >>>= n;
    bitCnt -= n;
    return v;
  };
  const decode = (t: Table): number => {
    need(t.maxLen);
    const e = t.entries[bitBuf & ((1 << t.bits) - 1)];
    const len = e & 15;
    if (len !== 0) {
      bitBuf >>>= len;
      bitCnt -= len;
      return e >>> 4;
    }
    // Canonical decoding, one bit at a time: codes of each length are consecutive integers.
    let code = 0;
    let first = 0;
    let index = 0;
    for (let l = 1; l <= t.maxLen; l++) {
      code |= (bitBuf >>> (l - 1)) & 1;
      const n = t.count[l];
      if (code - first < n) {
        bitBuf >>>= l;
        bitCnt -= l;
        return t.symbols[index + code - first];
      }
      index += n;
      first = (first + n) << 1;
      code <<= 1;
    }
    throw new Error('inflate: invalid Huffman code');
  };

  for (;;) {
    const final = bits(1);
    const type = bits(2);
    if (type === 0) {
      // Stored block: drop to a byte boundary, handing back whole bytes already buffered.
      pos -= bitCnt >>> 3;
      bitBuf = 0;
      bitCnt = 0;
      if (pos + 4 > inLen) throw new Error('inflate: compressed data is truncated');
      const len = input[pos] | (input[pos + 1] << 8);
      const nlen = input[pos + 2] | (input[pos + 3] << 8);
      if ((len ^ 0xffff) !== nlen) throw new Error('inflate: corrupt stored block length');
      pos += 4;
      if (pos + len > inLen) throw new Error('inflate: compressed data is truncated');
      if (o + len > out.length) throw new Error('inflate: output larger than expected');
      out.set(input.subarray(pos, pos + len), o);
      pos += len;
      o += len;
    } else if (type === 1 || type === 2) {
      let lit: Table;
      let dist: Table;
      if (type === 1) [lit, dist] = fixed();
      else [lit, dist] = readDynamicTables(bits, decode);
      // The literal/length loop is written out by hand (no helper calls): it runs once per output
      // symbol and dominates PNG decoding time.
      const litEntries = lit.entries;
      const litMask = (1 << lit.bits) - 1;
      for (;;) {
        if (bitCnt < 15) {
          if (pos + 2 <= inLen) {
            bitBuf |= (input[pos] << bitCnt) | (input[pos + 1] << (bitCnt + 8));
            pos += 2;
            bitCnt += 16;
          } else need(15);
        }
        let sym: number;
        const e = litEntries[bitBuf & litMask];
        if (e & 15) {
          bitBuf >>>= e & 15;
          bitCnt -= e & 15;
          sym = e >>> 4;
        } else sym = decode(lit);
        if (sym < 256) {
          if (o >= outLen) throw new Error('inflate: output larger than expected');
          out[o++] = sym;
          continue;
        }
        if (sym === 256) break;
        const li = sym - 257;
        if (li >= 29) throw new Error('inflate: invalid length symbol');
        let length = LENGTH_BASE[li];
        const lx = LENGTH_EXTRA[li];
        if (lx) {
          need(lx);
          length += bitBuf & ((1 << lx) - 1);
          bitBuf >>>= lx;
          bitCnt -= lx;
        }
        const di = decode(dist);
        if (di >= 30) throw new Error('inflate: invalid distance symbol');
        let distance = DIST_BASE[di];
        const dx = DIST_EXTRA[di];
        if (dx) {
          need(dx);
          distance += bitBuf & ((1 << dx) - 1);
          bitBuf >>>= dx;
          bitCnt -= dx;
        }
        if (distance > o) throw new Error('inflate: distance reaches before the start of the output');
        if (o + length > outLen) throw new Error('inflate: output larger than expected');
        for (let from = o - distance, stop = o + length; o < stop; ) out[o++] = out[from++];
      }
    } else {
      throw new Error('inflate: invalid block type');
    }
    if (final) break;
  }
  // Whole bytes still in the bit buffer were read ahead, not consumed.
  streamEnd = pos - (bitCnt >>> 3);
  if (streamEnd > inLen) throw new Error('inflate: compressed data is truncated');
  return o;
}

function readDynamicTables(bits: (n: number) => number, decode: (t: Table) => number): [Table, Table] {
  const nLit = bits(5) + 257;
  const nDist = bits(5) + 1;
  const nCode = bits(4) + 4;
  const codeLengths = scratch.codeLengths.fill(0);
  for (let i = 0; i < nCode; i++) codeLengths[CODE_LENGTH_ORDER[i]] = bits(3);
  const codeTable = buildTable(codeLengths, 'code-length', scratch.codes);
  const lengths = scratch.lengths.subarray(0, nLit + nDist).fill(0);
  for (let i = 0; i < lengths.length; ) {
    const sym = decode(codeTable);
    if (sym < 16) {
      lengths[i++] = sym;
      continue;
    }
    let repeat: number;
    let value = 0;
    if (sym === 16) {
      if (i === 0) throw new Error('inflate: length repeat with no previous length');
      value = lengths[i - 1];
      repeat = 3 + bits(2);
    } else if (sym === 17) repeat = 3 + bits(3);
    else repeat = 11 + bits(7);
    if (i + repeat > lengths.length) throw new Error('inflate: code lengths overrun');
    lengths.fill(value, i, i + repeat);
    i += repeat;
  }
  if (lengths[256] === 0) throw new Error('inflate: no end-of-block code');
  return [buildTable(lengths.subarray(0, nLit), 'literal/length', scratch.lit), buildTable(lengths.subarray(nLit), 'distance', scratch.dist)];
}
