import fc from 'fast-check';
import { constants, deflateRawSync, deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { inflateRawInto, zlibInflateInto } from '../../../../src/lib/data/formats/inflate';
import { rng } from '../../../fixtures/images';

/** Cases per property; FUZZ_RUNS=5000 for a longer search. Seeds are fixed so a run repeats. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);

const STRATEGIES = [constants.Z_DEFAULT_STRATEGY, constants.Z_FILTERED, constants.Z_HUFFMAN_ONLY, constants.Z_RLE, constants.Z_FIXED];

/** Input zlib can squeeze: short patterns repeated, long runs, a few random bytes between. */
const compressible = fc
  .array(
    fc.oneof(
      fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 400 })).map(([pattern, times]) => {
        const out = new Uint8Array(pattern.length * times);
        for (let i = 0; i < times; i++) out.set(pattern, i * pattern.length);
        return out;
      }),
      fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 3000 })).map(([byte, n]) => new Uint8Array(n).fill(byte)),
      fc.uint8Array({ maxLength: 64 }),
    ),
    { maxLength: 24, size: 'large' },
  )
  .map((parts) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  });

/**
 * Incompressible bytes, filled from a seeded generator (fast-check would draw each byte): long
 * enough at times for several 65,535-byte stored blocks at level 0.
 */
const random = fc.tuple(fc.integer(), fc.oneof(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 140_000 }))).map(([seed, length]) => {
  const next = rng(seed);
  return Uint8Array.from({ length }, () => next() & 255);
});

const input = fc.oneof(random, compressible);
const settings = fc.record({ level: fc.integer({ min: 0, max: 9 }), strategy: fc.constantFrom(...STRATEGIES), zlibFormat: fc.boolean() });

describe('inflate against node:zlib', () => {
  it('inflates what zlib deflates, at every level and strategy, raw and zlib-wrapped', () => {
    fc.assert(
      fc.property(input, settings, (data, { level, strategy, zlibFormat }) => {
        const out = new Uint8Array(data.length);
        if (zlibFormat) {
          const z = deflateSync(data, { level, strategy });
          expect(zlibInflateInto(z, out)).toBe(data.length);
        } else {
          const z = deflateRawSync(data, { level, strategy });
          expect(inflateRawInto(z, 0, out)).toBe(data.length);
        }
        expect(Buffer.compare(out, data)).toBe(0);
      }),
      { numRuns: RUNS, seed: 20261128 },
    );
  });

  it('refuses zlib data whose Adler-32 does not match, whatever was compressed', () => {
    fc.assert(
      fc.property(input, settings, fc.integer({ min: 1, max: 0xffffffff }), (data, { level, strategy }, flip) => {
        const z = deflateSync(data, { level, strategy });
        const view = new DataView(z.buffer, z.byteOffset, z.byteLength);
        view.setUint32(z.length - 4, view.getUint32(z.length - 4) ^ flip);
        expect(() => zlibInflateInto(z, new Uint8Array(data.length))).toThrow(/zlib Adler-32 check failed/);
      }),
      { numRuns: RUNS, seed: 20261129 },
    );
  });
});
