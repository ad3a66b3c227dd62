interface Pending<E, R> {
  entry: E;
  resolve(result: R): void;
  reject(error: unknown): void;
}

// Bounds one write (and the document it grows) however many callers pile up meanwhile.
const MAX_BATCH = 256;

/**
 * Group commit per key (a session): while one write of a key is in flight, the entries that
 * arrive for it wait and go together in the next write, which starts as soon as the one in
 * flight ended. Each caller gets the result of the write that held its entry (or its error): a
 * caller goes on only after its own entry committed, as if it had written alone. A lone caller
 * writes at once.
 */
export class GroupedAppends<E, R> {
  private readonly queues = new Map<string, Pending<E, R>[]>();

  /** @param commit writes `entries` of `key` in one statement, in this order. */
  constructor(private readonly commit: (key: string, entries: E[]) => Promise<R>) {}

  append(key: string, entry: E): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const queue = this.queues.get(key);
      if (queue !== undefined) {
        queue.push({ entry, resolve, reject });
        return;
      }
      // No write of this key in flight: this caller's entry starts one now.
      this.queues.set(key, [{ entry, resolve, reject }]);
      void this.drain(key);
    });
  }

  private async drain(key: string): Promise<void> {
    for (;;) {
      const queue = this.queues.get(key) ?? [];
      if (queue.length === 0) {
        this.queues.delete(key);
        return;
      }
      // The queue stays registered (empty or not) while the write runs: arrivals join the next.
      const batch = queue.splice(0, MAX_BATCH);
      try {
        const result = await this.commit(
          key,
          batch.map((p) => p.entry),
        );
        for (const p of batch) p.resolve(result);
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
  }
}
