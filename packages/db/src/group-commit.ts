/**
 * Write combining for calls that each wait for their own write: items added in the same turn of the
 * event loop are written together, in the order they were added, by one `write` call (one
 * transaction) on the next turn, and every caller's promise settles with that write. A caller still
 * learns of its write only once it has committed; N writes cost about one commit instead of N.
 */
export class GroupCommit<T> {
  readonly #write: (items: readonly T[]) => Promise<void>;
  #queue: { item: T; resolve: () => void; reject: (error: unknown) => void }[] = [];

  constructor(write: (items: readonly T[]) => Promise<void>) {
    this.#write = write;
  }

  /** Queues `item`; resolves once the write that holds it has committed, rejects if it failed. */
  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#queue.push({ item, resolve, reject }) === 1) setImmediate(() => void this.#flush());
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#queue;
    this.#queue = [];
    try {
      await this.#write(batch.map((entry) => entry.item));
    } catch (error) {
      for (const entry of batch) entry.reject(error);
      return;
    }
    for (const entry of batch) entry.resolve();
  }
}
