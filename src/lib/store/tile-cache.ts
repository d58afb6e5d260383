export const TILES_DB = 'tabtune-tiles';

/** Strings by key; the shape the convolution autotuner's TileCache asks for. */
export interface StringCache {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}
const STORE = 'tiles';

/**
 * Autotuned convolution tiles kept per adapter in IndexedDB, so a worker or a later session skips
 * the timing. A cache only: any storage failure reads as a miss and a lost write, never an error
 * that would fail a trial. Its own database, apart from the jobs', so clearing one leaves the other.
 */
export function idbTileCache(factory: IDBFactory | undefined = globalThis.indexedDB): StringCache {
  let db: Promise<IDBDatabase | undefined> | undefined;
  const open = () =>
    (db ??= new Promise((resolve) => {
      if (!factory) return resolve(undefined);
      try {
        const request = factory.open(TILES_DB, 1);
        request.onupgradeneeded = () => request.result.createObjectStore(STORE);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => resolve(undefined);
        request.onblocked = () => resolve(undefined);
      } catch {
        // A browser that refuses storage here (some private modes) throws instead of failing the request.
        resolve(undefined);
      }
    }));
  const run = async <T>(mode: IDBTransactionMode, action: (store: IDBObjectStore) => IDBRequest<T>): Promise<T | undefined> => {
    const opened = await open();
    if (!opened) return undefined;
    return new Promise((resolve) => {
      try {
        const request = action(opened.transaction(STORE, mode).objectStore(STORE));
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => resolve(undefined);
      } catch {
        resolve(undefined);
      }
    });
  };
  return {
    async get(key) {
      const value = await run('readonly', (store) => store.get(key) as IDBRequest<unknown>);
      return typeof value === 'string' ? value : undefined;
    },
    async set(key, value) {
      await run('readwrite', (store) => store.put(value, key));
    },
  };
}
