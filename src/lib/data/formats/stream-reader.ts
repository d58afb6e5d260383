const EMPTY = new Uint8Array(0);

/**
 * Pull-style access to a byte stream: the tar and binary readers need "the next n bytes" and
 * "whatever is there, up to n", which a plain ReadableStream reader does not give. Chunks are
 * handed out as views where possible, so streaming never copies data it only passes on.
 */
export class StreamReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private chunk: Uint8Array = EMPTY;
  private pos = 0;
  private ended = false;
  /** Bytes handed to the caller (consumed or skipped). */
  position = 0;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.reader = stream.getReader();
  }

  /** Up to `max` bytes as a view of the current chunk; null only at end of stream. */
  async next(max: number): Promise<Uint8Array | null> {
    while (this.pos >= this.chunk.length) {
      if (this.ended) return null;
      const { done, value } = await this.reader.read();
      if (done) {
        this.ended = true;
        return null;
      }
      this.chunk = value;
      this.pos = 0;
    }
    const n = Math.min(max, this.chunk.length - this.pos);
    const view = this.chunk.subarray(this.pos, this.pos + n);
    this.pos += n;
    this.position += n;
    return view;
  }

  /** Exactly `n` bytes, or fewer only when the stream ends first. */
  async exact(n: number): Promise<Uint8Array> {
    const first = await this.next(n);
    if (first === null) return EMPTY;
    if (first.length === n) return first;
    const out = new Uint8Array(n);
    out.set(first);
    let filled = first.length;
    while (filled < n) {
      const part = await this.next(n - filled);
      if (part === null) return out.subarray(0, filled);
      out.set(part, filled);
      filled += part.length;
    }
    return out;
  }

  /** Discards up to `n` bytes; returns how many were there. */
  async skip(n: number): Promise<number> {
    let skipped = 0;
    while (skipped < n) {
      const part = await this.next(n - skipped);
      if (part === null) break;
      skipped += part.length;
    }
    return skipped;
  }

  /** Stops the source early (e.g. once a limit is reached) so no more is read or decompressed. */
  async cancel(): Promise<void> {
    this.ended = true;
    this.chunk = EMPTY;
    await this.reader.cancel().catch(() => undefined);
  }

  release(): void {
    this.reader.releaseLock();
  }
}
