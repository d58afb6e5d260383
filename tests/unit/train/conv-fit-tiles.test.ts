import { describe, expect, it } from 'vitest';
import { fitTapChannels, fitTiles, tilesProblem, type GemmTiles } from '../../../src/lib/train/kernels/conv-gemm';

const DEFAULT: GemmTiles = { tileM: 64, tileN: 32, tileK: 8, threadM: 8, threadN: 4, fit: true };
const threads = (t: GemmTiles) => (t.tileM / t.threadM) * (t.tileN / t.threadN);

describe('fitting GEMM tiles to a layer', () => {
  it('keeps the default for a layer whose N fills its tiles', () => {
    expect(fitTiles(DEFAULT, 30752, 32)).toEqual(DEFAULT);
  });

  it('reshapes to the narrowest tile the thread block allows when that pads N less', () => {
    expect(fitTiles(DEFAULT, 30752, 16)).toMatchObject({ tileM: 128, tileN: 16, threadM: 8, threadN: 4 });
  });

  it('halves the thread block rows for a narrow N rather than leave half of each tile empty, at the same thread count', () => {
    const fitted = fitTiles(DEFAULT, 30752, 8);
    expect(fitted).toMatchObject({ tileM: 128, tileN: 8, threadM: 4, threadN: 4, tileK: 8 });
    expect(threads(fitted)).toBe(threads(DEFAULT));
    expect(tilesProblem(fitted)).toBeNull();
    const three = fitTiles(DEFAULT, 30752, 3);
    expect(three.tileN).toBe(4);
    expect(threads(three)).toBe(threads(DEFAULT));
    expect(tilesProblem(three)).toBeNull();
  });

  it('leaves tiles that do not ask to be fitted alone', () => {
    const fixed = { ...DEFAULT, fit: false };
    expect(fitTiles(fixed, 30752, 8)).toBe(fixed);
  });

  it('squares the thread block, at the same thread count, for a layer whose N fills the tile', () => {
    const square = { ...DEFAULT, square: true };
    const at32 = fitTiles(square, 30752, 32);
    expect(at32).toMatchObject({ tileM: 128, tileN: 32, threadM: 8, threadN: 8, tileK: 8 });
    expect(threads(at32)).toBe(threads(DEFAULT));
    expect(tilesProblem(at32)).toBeNull();
    expect(fitTiles(square, 30752, 64)).toMatchObject({ tileM: 64, tileN: 64, threadM: 8, threadN: 8 });
  });

  it('keeps the block as given where N is narrower than the tile, or the square block cannot run', () => {
    const square = { ...DEFAULT, square: true };
    expect(fitTiles(square, 30752, 16)).toMatchObject({ tileM: 128, tileN: 16, threadM: 8, threadN: 4 });
    expect(fitTiles(square, 30752, 8)).toMatchObject({ tileM: 128, tileN: 8, threadM: 4, threadN: 4 });
    // 16×8 per thread squared would hold 256 accumulators.
    const deep = { ...DEFAULT, tileM: 128, threadM: 16, threadN: 4, square: true };
    expect(fitTiles(deep, 30752, 32)).toMatchObject({ threadM: 16, threadN: 4 });
    expect(fitTiles({ ...square, fit: false }, 30752, 32)).toMatchObject({ tileM: 64, tileN: 32, threadN: 4 });
  });

  it('shrinks tileK to the power of two that holds a tap with fewer channels than a K tile', () => {
    expect(fitTapChannels(DEFAULT, 3).tileK).toBe(4);
    expect(fitTapChannels(DEFAULT, 1).tileK).toBe(1);
    expect(fitTapChannels(DEFAULT, 5).tileK).toBe(8);
    expect(fitTapChannels(DEFAULT, 24)).toBe(DEFAULT);
    expect(fitTapChannels({ ...DEFAULT, fit: false }, 3).tileK).toBe(8);
  });
});
