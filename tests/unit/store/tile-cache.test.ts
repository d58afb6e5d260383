import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { idbTileCache } from '../../../src/lib/store';

describe('the autotuned-tiles cache in IndexedDB', () => {
  it('gives back what was set, across caches on the same database, and misses what was not', async () => {
    const factory = new IDBFactory();
    await idbTileCache(factory).set('tabtune-conv-tiles:nvidia/hopper/', '{"filter":{},"input":{}}');
    const later = idbTileCache(factory);
    expect(await later.get('tabtune-conv-tiles:nvidia/hopper/')).toBe('{"filter":{},"input":{}}');
    expect(await later.get('tabtune-conv-tiles:amd/rdna3/')).toBeUndefined();
  });

  it('reads as a miss, and drops writes, where there is no IndexedDB or it cannot open', async () => {
    const none = idbTileCache(undefined);
    await none.set('k', 'v');
    expect(await none.get('k')).toBeUndefined();
    const failing = { open: () => { throw new Error('denied'); } } as unknown as IDBFactory;
    const broken = idbTileCache(failing);
    await expect(broken.set('k', 'v')).resolves.toBeUndefined();
    await expect(broken.get('k')).resolves.toBeUndefined();
  });

});
