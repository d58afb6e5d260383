/**
 * The suggestions a strategy has handed out and not yet heard back about. Ids are `t1`, `t2`, …
 * in issue order, as the CLI protocol and the job runner expect.
 */
export class PendingTrials<T> {
  private readonly byId = new Map<string, T>();
  private issued = 0;

  /** Records a new suggestion and returns its id. */
  issue(entry: T): string {
    const id = `t${++this.issued}`;
    this.byId.set(id, entry);
    return id;
  }

  /** Removes and returns a pending entry; an id never issued, or already told, is an error. */
  resolve(id: string): T {
    const entry = this.byId.get(id);
    if (entry === undefined) throw new Error(`Unknown trial id "${id}".`);
    this.byId.delete(id);
    return entry;
  }

  get size(): number {
    return this.byId.size;
  }

  values(): IterableIterator<T> {
    return this.byId.values();
  }
}

