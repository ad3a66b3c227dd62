// TTL monitor: every interval, deletes documents whose indexed date (the earliest one, for an
// array of dates) plus expireAfterSeconds is in the past, as MongoDB's TTL monitor does.
import type { Store } from '../engine/store.js';
import { pathValues } from '../engine/paths.js';

export class TtlMonitor {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      // A timer callback must never take the server down.
      try {
        this.sweep();
      } catch (err) {
        console.error('[devstack mongo] TTL sweep failed', err);
      }
    }, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  sweep(now = Date.now()): number {
    let removed = 0;
    for (const coll of this.store.collections()) {
      for (const ix of coll.indexes) {
        if (ix.ttlSeconds === undefined) continue;
        const field = ix.fields[0];
        const expired = [];
        for (const doc of coll.docs.values()) {
          let earliest = Infinity;
          for (const v of pathValues(doc, field, true)) {
            if (v instanceof Date && v.getTime() < earliest) earliest = v.getTime();
          }
          if (earliest + ix.ttlSeconds * 1000 < now) expired.push(doc);
        }
        for (const doc of expired) coll.remove(doc);
        removed += expired.length;
      }
    }
    return removed;
  }
}
