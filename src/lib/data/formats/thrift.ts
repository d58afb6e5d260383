/**
 * Thrift compact protocol, decoded generically: every struct becomes a map from field id to value.
 * Parquet's metadata grows new optional fields over time; decoding by type rather than by schema
 * skips the ones this reader does not know about without any extra code.
 */
export type ThriftValue = number | boolean | Uint8Array | ThriftValue[] | ThriftStruct;
export type ThriftStruct = Map<number, ThriftValue>;

const T = { Stop: 0, True: 1, False: 2, Byte: 3, I16: 4, I32: 5, I64: 6, Double: 7, Binary: 8, List: 9, Set: 10, Map: 11, Struct: 12 } as const;

const MAX_DEPTH = 64;

export class ThriftReader {
  pos: number;

  constructor(
    private readonly buf: Uint8Array,
    start = 0,
  ) {
    this.pos = start;
  }

  private byte(): number {
    if (this.pos >= this.buf.length) throw new RangeError('thrift: unexpected end of data');
    return this.buf[this.pos++];
  }

  /** Unsigned varint; numbers (not bigint) because parquet offsets and counts stay below 2^53. */
  private varint(): number {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const b = this.byte();
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return value;
      if (shift > 63) throw new RangeError('thrift: varint too long');
    }
  }

  private zigzag(): number {
    const u = this.varint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  struct(depth = 0): ThriftStruct {
    if (depth > MAX_DEPTH) throw new RangeError('thrift: nesting too deep');
    const out: ThriftStruct = new Map();
    let lastId = 0;
    for (;;) {
      const header = this.byte();
      const type = header & 0x0f;
      if (type === T.Stop) return out;
      const delta = header >>> 4;
      const id = delta === 0 ? this.zigzag() : lastId + delta;
      lastId = id;
      out.set(id, this.value(type, depth));
    }
  }

  private value(type: number, depth: number): ThriftValue {
    switch (type) {
      case T.True:
        return true;
      case T.False:
        return false;
      case T.Byte: {
        const b = this.byte();
        return b > 127 ? b - 256 : b;
      }
      case T.I16:
      case T.I32:
      case T.I64:
        return this.zigzag();
      case T.Double: {
        if (this.pos + 8 > this.buf.length) throw new RangeError('thrift: unexpected end of data');
        const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8).getFloat64(0, true);
        this.pos += 8;
        return v;
      }
      case T.Binary: {
        const n = this.varint();
        if (this.pos + n > this.buf.length) throw new RangeError('thrift: unexpected end of data');
        const v = this.buf.subarray(this.pos, this.pos + n);
        this.pos += n;
        return v;
      }
      case T.List:
      case T.Set: {
        const header = this.byte();
        const size = header >>> 4 === 15 ? this.varint() : header >>> 4;
        const elem = header & 0x0f;
        const out: ThriftValue[] = [];
        for (let i = 0; i < size; i++) {
          // Inside collections a bool is one byte (1 = true), not folded into a field header.
          out.push(elem === T.True || elem === T.False ? this.byte() === 1 : this.value(elem, depth + 1));
        }
        return out;
      }
      case T.Map: {
        const size = this.varint();
        const out: ThriftValue[] = [];
        if (size > 0) {
          const kinds = this.byte();
          for (let i = 0; i < size; i++) {
            out.push([this.value(kinds >>> 4, depth + 1), this.value(kinds & 0x0f, depth + 1)]);
          }
        }
        return out;
      }
      case T.Struct:
        return this.struct(depth + 1);
      default:
        throw new RangeError(`thrift: unknown field type ${type}`);
    }
  }
}

/** Typed field access on a decoded struct; a wrong type is treated like absence. */
export const field = {
  num(s: ThriftStruct, id: number): number | undefined {
    const v = s.get(id);
    return typeof v === 'number' ? v : undefined;
  },
  bool(s: ThriftStruct, id: number): boolean | undefined {
    const v = s.get(id);
    return typeof v === 'boolean' ? v : undefined;
  },
  bytes(s: ThriftStruct, id: number): Uint8Array | undefined {
    const v = s.get(id);
    return v instanceof Uint8Array ? v : undefined;
  },
  str(s: ThriftStruct, id: number): string | undefined {
    const v = s.get(id);
    return v instanceof Uint8Array ? new TextDecoder().decode(v) : undefined;
  },
  struct(s: ThriftStruct, id: number): ThriftStruct | undefined {
    const v = s.get(id);
    return v instanceof Map ? v : undefined;
  },
  list(s: ThriftStruct, id: number): ThriftValue[] {
    const v = s.get(id);
    return Array.isArray(v) ? v : [];
  },
};
