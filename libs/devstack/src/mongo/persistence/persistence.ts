// Durable store: replays the journal into a Store at start, then journals every change as the
// resulting document state (put/del) or DDL record, compacting into a snapshot when the
// journal grows well past the live data.
import type { Document } from 'bson';
import type { Collection } from '../engine/collection.js';
import type { Store, StoreSink } from '../engine/store.js';
import { toEngine } from '../engine/values.js';
import type { IndexSpec } from '../indexes/spec.js';
import { mkdirSync } from 'node:fs';
import { Journal } from './journal.js';
import { acquireLock } from './lock.js';
import type { JournalRecord } from './records.js';

const MIN_COMPACT_BYTES = 32 * 1024 * 1024;

function splitNs(ns: string): [string, string] {
  const dot = ns.indexOf('.');
  return [ns.slice(0, dot), ns.slice(dot + 1)];
}

export function applyRecord(store: Store, rec: JournalRecord): void {
  const [db, name] = splitNs(rec.ns);
  const coll = (): Collection => store.get(db, name) ?? store.create(db, name, {}, false);
  switch (rec.o) {
    case 'put': {
      const doc = toEngine(rec.d);
      const c = coll();
      const old = c.getById(doc['_id']);
      if (old) c.replace(old, doc);
      else c.insert(doc, false);
      break;
    }
    case 'del': {
      const c = store.get(db, name);
      const old = c?.getById(toEngine(rec.id));
      if (c && old) c.remove(old, false);
      break;
    }
    case 'cc':
      if (!store.get(db, name)) store.create(db, name, toEngine(rec.options), false);
      break;
    case 'dc':
      store.drop(db, name);
      break;
    case 'ci':
      coll().addIndex(toEngine(rec.spec) as IndexSpec);
      break;
    case 'di':
      if (store.get(db, name)?.indexes.some((i) => i.name === rec.name)) {
        store.get(db, name)!.dropIndex(rec.name);
      }
      break;
  }
}

function* snapshot(store: Store): Iterable<JournalRecord> {
  for (const c of store.collections()) {
    yield { o: 'cc', ns: c.ns, options: c.options };
    for (const ix of c.indexes) yield { o: 'ci', ns: c.ns, spec: ix.spec };
    for (const d of c.docs.values()) yield { o: 'put', ns: c.ns, d };
  }
}

export class Persistence implements StoreSink {
  private readonly journal: Journal;
  private liveRecords = 0;
  private records = 0;

  private unlock: (() => void) | undefined;

  constructor(
    private readonly dir: string,
    private readonly store: Store,
  ) {
    this.journal = new Journal(dir);
  }

  /** Replays the journal into the store and starts journaling its changes. */
  open(): void {
    mkdirSync(this.dir, { recursive: true });
    this.unlock = acquireLock(this.dir);
    const records = this.journal.load();
    for (const rec of records) {
      try {
        applyRecord(this.store, rec);
      } catch (err) {
        console.error('[devstack mongo] skipping journal record that no longer applies', err);
      }
    }
    this.journal.start();
    process.on('exit', this.flushOnExit);
    this.store.sink = this;
    this.countLive();
    this.records = records.length;
    if (this.records > 2 * this.liveRecords + 1000) this.compact();
  }

  private countLive(): void {
    let n = 0;
    for (const c of this.store.collections()) n += 1 + c.indexes.length + c.docs.size;
    this.liveRecords = n;
  }

  private add(rec: JournalRecord): void {
    this.journal.append(rec);
    this.records++;
    if (this.journal.size > MIN_COMPACT_BYTES && this.records > 4 * this.liveRecords) {
      this.countLive();
      if (this.records > 4 * this.liveRecords) this.compact();
    }
  }

  compact(): void {
    this.journal.rewrite(snapshot(this.store));
    this.countLive();
    this.records = this.liveRecords;
  }

  put(ns: string, doc: Document): void {
    this.add({ o: 'put', ns, d: doc });
  }
  del(ns: string, id: unknown): void {
    this.add({ o: 'del', ns, id });
  }
  createCollection(ns: string, options: Document): void {
    this.add({ o: 'cc', ns, options });
  }
  dropCollection(ns: string): void {
    this.add({ o: 'dc', ns });
  }
  createIndex(ns: string, spec: IndexSpec): void {
    this.add({ o: 'ci', ns, spec });
  }
  dropIndex(ns: string, name: string): void {
    this.add({ o: 'di', ns, name });
  }

  // A process that exits without stop() still writes what it acknowledged (synchronously).
  private readonly flushOnExit = (): void => this.journal.sync();

  close(): void {
    process.off('exit', this.flushOnExit);
    this.journal.close();
    this.unlock?.();
    this.unlock = undefined;
  }
}
