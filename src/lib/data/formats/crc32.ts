/**
 * CRC-32 (the gzip / zlib / PNG polynomial, reflected 0xEDB88320) and Adler-32, the checksums the
 * CIFAR-10 formats carry. Both run over every decoded PNG, so they are written for speed: CRC-32
 * reads eight bytes per step from eight tables ("slicing by 8"), Adler-32 takes eight bytes per
 * step and defers the modulo to once per block of bytes.
 */

const TABLES = (() => {
  const t = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n];
    for (let k = 1; k < 8; k++) {
      c = t[c & 0xff] ^ (c >>> 8);
      t[k * 256 + n] = c;
    }
  }
  return t;
})();

/** CRC-32 of `bytes[from, to)`, continuing from `crc` (the CRC of what came before, 0 at the start). */
export function crc32(bytes: Uint8Array, from = 0, to = bytes.length, crc = 0): number {
  const t = TABLES;
  let c = ~crc;
  let i = from;
  for (const end8 = to - 7; i < end8; i += 8) {
    const lo = c ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
    const hi = bytes[i + 4] | (bytes[i + 5] << 8) | (bytes[i + 6] << 16) | (bytes[i + 7] << 24);
    c =
      t[1792 + (lo & 0xff)] ^
      t[1536 + ((lo >>> 8) & 0xff)] ^
      t[1280 + ((lo >>> 16) & 0xff)] ^
      t[1024 + (lo >>> 24)] ^
      t[768 + (hi & 0xff)] ^
      t[512 + ((hi >>> 8) & 0xff)] ^
      t[256 + ((hi >>> 16) & 0xff)] ^
      t[hi >>> 24];
  }
  for (; i < to; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

const ADLER_MOD = 65521;
/**
 * Largest n with 255·n(n+1)/2 + (n+1)·(65521−1) < 2^31: over that many bytes both sums stay small
 * integers, which V8 keeps unboxed (zlib's 5,552 is the 2^32 bound of the same formula).
 */
const ADLER_BLOCK = 3854;

/** Adler-32 of `bytes[from, to)` (RFC 1950). */
export function adler32(bytes: Uint8Array, from = 0, to = bytes.length): number {
  let a = 1;
  let b = 0;
  let i = from;
  while (i < to) {
    const end = Math.min(to, i + ADLER_BLOCK);
    // Eight bytes per step in closed form: b gains 8a plus the bytes weighted 8..1, which breaks
    // the one-add-at-a-time dependency chain of the plain loop (about 1.7x faster in V8).
    for (const end8 = end - 7; i < end8; i += 8) {
      const x0 = bytes[i];
      const x1 = bytes[i + 1];
      const x2 = bytes[i + 2];
      const x3 = bytes[i + 3];
      const x4 = bytes[i + 4];
      const x5 = bytes[i + 5];
      const x6 = bytes[i + 6];
      const x7 = bytes[i + 7];
      b += 8 * (a + x0) + 7 * x1 + 6 * x2 + 5 * x3 + 4 * x4 + 3 * x5 + 2 * x6 + x7;
      a += x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7;
    }
    for (; i < end; i++) {
      a += bytes[i];
      b += a;
    }
    a %= ADLER_MOD;
    b %= ADLER_MOD;
  }
  return ((b << 16) | a) >>> 0;
}
