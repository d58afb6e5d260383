/**
 * Parquet's RLE / bit-packed hybrid (definition levels, dictionary indices): a sequence of runs,
 * each a varint header whose low bit says "bit-packed groups of 8" (1) or "one value repeated" (0).
 * Decodes exactly `count` values into `out` starting at `outAt`; returns the input position after
 * the last byte used. Throws plain Errors; callers name the file and column.
 */
export function decodeHybrid(input: Uint8Array, pos: number, end: number, bitWidth: number, count: number, out: Int32Array, outAt = 0): number {
  if (bitWidth < 0 || bitWidth > 32) throw new Error(`RLE: bit width ${bitWidth} out of range`);
  const valueBytes = (bitWidth + 7) >>> 3;
  const mask = bitWidth === 32 ? 0xffffffff : (1 << bitWidth) - 1;
  let filled = 0;
  while (filled < count) {
    if (pos >= end) throw new Error(`RLE: data ends after ${filled} of ${count} values`);
    let header = 0;
    for (let shift = 0; ; shift += 7) {
      if (pos >= end || shift > 28) throw new Error('RLE: bad run header');
      const b = input[pos++];
      header += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
    }
    if ((header & 1) === 0) {
      const run = header >>> 1;
      if (pos + valueBytes > end) throw new Error('RLE: truncated run value');
      let value = 0;
      for (let i = 0; i < valueBytes; i++) value |= input[pos + i] << (8 * i);
      pos += valueBytes;
      const n = Math.min(run, count - filled);
      out.fill(value, outAt + filled, outAt + filled + n);
      filled += n;
    } else {
      const values = (header >>> 1) * 8;
      const bytes = (header >>> 1) * bitWidth;
      // The last group may be cut short by the page end when it holds padding only.
      const available = Math.min(bytes, end - pos);
      let acc = 0;
      let bits = 0;
      let p = pos;
      const n = Math.min(values, count - filled);
      for (let i = 0; i < n; i++) {
        while (bits < bitWidth) {
          if (p >= pos + available) throw new Error('RLE: truncated bit-packed run');
          acc += input[p++] * 2 ** bits;
          bits += 8;
        }
        out[outAt + filled + i] = acc & mask;
        acc = Math.floor(acc / 2 ** bitWidth);
        bits -= bitWidth;
      }
      filled += n;
      pos += available;
    }
  }
  return pos;
}

/** Bits needed for values 0..maxValue, as parquet sizes level encodings. */
export function bitWidthFor(maxValue: number): number {
  let w = 0;
  while (maxValue >= 2 ** w) w++;
  return w;
}
