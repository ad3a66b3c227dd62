// Every database and collection of one server, and the journal hooks for DDL changes.
import type { Document } from 'bson';
import { ErrorCode, fail } from '../errors.js';
import type { IndexSpec } from '../indexes/spec.js';
import { Collection, type ChangeSink } from './collection.js';

export interface StoreSink extends ChangeSink {
  createCollection(ns: string, options: Document): void;
  dropCollection(ns: string): void;
  createIndex(ns: string, spec: IndexSpec): void;
  dropIndex(ns: string, name: string): void;
}

export const NULL_SINK: StoreSink = {
  put: () => undefined,
  del: () => undefined,
  createCollection: () => undefined,
  dropCollection: () => undefined,
  createIndex: () => undefined,
  dropIndex: () => undefined,
};

export function validateDbName(db: unknown): string {
  if (typeof db !== 'string' || db === '' || /[/\\. "$\0]/.test(db) || db.length > 63) {
    fail(ErrorCode.InvalidNamespace, `Invalid database name: '${String(db)}'`);
  }
  return db;
}

export function validateCollName(db: string, name: unknown): string {
  if (typeof name !== 'string') {
    fail(ErrorCode.InvalidNamespace, `collection name has invalid type ${typeof name}`);
  }
  if (name === '' || name.includes('\0') || name.includes('$') || name.startsWith('.')) {
    fail(ErrorCode.InvalidNamespace, `Invalid collection name: ${db}.${name}`);
  }
  if (name.startsWith('system.')) {
    fail(
      ErrorCode.InvalidNamespace,
      `Invalid collection name (system collections are not supported by the devstack): ${db}.${name}`,
    );
  }
  return name;
}

export class Store {
  readonly dbs = new Map<string, Map<string, Collection>>();

  constructor(public sink: StoreSink = NULL_SINK) {}

  get(db: string, name: string): Collection | undefined {
    return this.dbs.get(db)?.get(name);
  }

  create(db: string, name: string, options: Document, journal = true): Collection {
    if (this.get(db, name))
      fail(ErrorCode.NamespaceExists, `Collection ${db}.${name} already exists.`);
    let colls = this.dbs.get(db);
    if (!colls) {
      colls = new Map();
      this.dbs.set(db, colls);
    }
    const coll = new Collection(db, name, options, this);
    colls.set(name, coll);
    if (journal) this.sink.createCollection(coll.ns, options);
    return coll;
  }

  /** The collection, created implicitly (as writes and createIndexes do) when missing. */
  ensure(db: string, name: string): Collection {
    return this.get(db, name) ?? this.create(db, validateCollName(db, name), {});
  }

  drop(db: string, name: string): boolean {
    const colls = this.dbs.get(db);
    if (!colls?.delete(name)) return false;
    if (colls.size === 0) this.dbs.delete(db);
    this.sink.dropCollection(`${db}.${name}`);
    return true;
  }

  dropDatabase(db: string): void {
    for (const name of [...(this.dbs.get(db)?.keys() ?? [])]) this.drop(db, name);
    this.dbs.delete(db);
  }

  collections(): Collection[] {
    return [...this.dbs.values()].flatMap((c) => [...c.values()]);
  }

  clear(): void {
    for (const db of [...this.dbs.keys()]) this.dropDatabase(db);
  }
}
