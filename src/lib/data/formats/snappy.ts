/**
 * Snappy raw-format decompressor (the block format parquet uses: no framing, no CRC).
 * A varint gives the output length, then tagged elements: literals, and copies of earlier output
 * whose length may exceed their offset (an overlapping copy repeats a pattern).
 * Throws a plain Error; callers add the file and page to the message.
 */
export function snappyUncompress(input: Uint8Array, expectedLength?: number): Uint8Array {
  let pos = 0;
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= input.length || shift > 28) throw new Error('snappy: bad length preamble');
    const b = input[pos++];
    length += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  if (expectedLength !== undefined && length !== expectedLength) {
    throw new Error(`snappy: block says ${length} bytes, page header says ${expectedLength}`);
  }
  const out = new Uint8Array(length);
  let o = 0;
  while (pos < input.length) {
    const tag = input[pos++];
    const kind = tag & 3;
    if (kind === 0) {
      let n = tag >>> 2;
      if (n >= 60) {
        const extra = n - 59;
        if (pos + extra > input.length) throw new Error('snappy: truncated literal length');
        n = 0;
        for (let i = 0; i < extra; i++) n += input[pos + i] * 2 ** (8 * i);
        pos += extra;
      }
      n += 1;
      if (pos + n > input.length) throw new Error('snappy: literal runs past the end of the input');
      if (o + n > length) throw new Error('snappy: output longer than declared');
      out.set(input.subarray(pos, pos + n), o);
      pos += n;
      o += n;
      continue;
    }
    let n: number;
    let offset: number;
    if (kind === 1) {
      if (pos >= input.length) throw new Error('snappy: truncated copy');
      n = 4 + ((tag >>> 2) & 7);
      offset = ((tag >>> 5) << 8) | input[pos++];
    } else if (kind === 2) {
      if (pos + 2 > input.length) throw new Error('snappy: truncated copy');
      n = (tag >>> 2) + 1;
      offset = input[pos] | (input[pos + 1] << 8);
      pos += 2;
    } else {
      if (pos + 4 > input.length) throw new Error('snappy: truncated copy');
      n = (tag >>> 2) + 1;
      offset = (input[pos] | (input[pos + 1] << 8) | (input[pos + 2] << 16)) + input[pos + 3] * 2 ** 24;
      pos += 4;
    }
    if (offset === 0 || offset > o) throw new Error(`snappy: copy offset ${offset} outside the ${o} bytes written`);
    if (o + n > length) throw new Error('snappy: output longer than declared');
    let from = o - offset;
    if (offset >= n) {
      out.copyWithin(o, from, from + n);
      o += n;
    } else {
      for (const end = o + n; o < end; ) out[o++] = out[from++];
    }
  }
  if (o !== length) throw new Error(`snappy: input ended after ${o} of ${length} bytes`);
  return out;
}
