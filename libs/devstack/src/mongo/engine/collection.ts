// A collection: documents in insertion order keyed by their encoded _id (which doubles as the
// _id index), plus secondary indexes kept in step on every write.
import type { Document } from 'bson';
import { ErrorCode, MongoServerError, fail } from '../errors.js';
import { SecondaryIndex } from '../indexes/index.js';
import { encodeValue, type IndexKey } from '../indexes/key.js';
import { sameKey, sameOptions, type IndexSpec } from '../indexes/spec.js';
import { compileFilter, equalityConditions, type Filter } from './query.js';

export interface ChangeSink {
  put(ns: string, doc: Document): void;
  del(ns: string, id: unknown): void;
}

export const ID_INDEX_SPEC: IndexSpec = { v: 2, key: { _id: 1 }, name: '_id_' };

export class Collection {
  readonly docs = new Map<string, Document>();
  readonly indexes: SecondaryIndex[] = [];

  constructor(
    readonly db: string,
    readonly name: string,
    readonly options: Document,
    // The store's sink is read at each write: persistence attaches it after replay.
    private readonly owner: { readonly sink: ChangeSink },
  ) {}

  private get sink(): ChangeSink {
    return this.owner.sink;
  }

  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  get indexSpecs(): IndexSpec[] {
    return [ID_INDEX_SPEC, ...this.indexes.map((i) => i.spec)];
  }

  /** Inserts a document whose _id is set; throws E11000 without side effects on conflict. */
  insert(doc: Document, journal = true): void {
    const id = encodeValue(doc['_id']);
    if (this.docs.has(id)) throw this.duplicateId(doc['_id']);
    const keys = this.indexes.map((ix) => ix.keysOf(doc));
    this.indexes.forEach((ix, i) => ix.checkUnique(this.ns, id, keys[i]));
    this.docs.set(id, doc);
    this.indexes.forEach((ix, i) => ix.add(id, keys[i]));
    if (journal) this.sink.put(this.ns, doc);
  }

  /** Replaces a stored document (same _id) after checking unique indexes. */
  replace(oldDoc: Document, newDoc: Document): void {
    const id = encodeValue(oldDoc['_id']);
    const oldKeys = this.indexes.map((ix) => ix.keysOf(oldDoc));
    const newKeys = this.indexes.map((ix) => ix.keysOf(newDoc));
    this.indexes.forEach((ix, i) => ix.checkUnique(this.ns, id, newKeys[i]));
    this.indexes.forEach((ix, i) => {
      ix.remove(id, oldKeys[i]);
      ix.add(id, newKeys[i]);
    });
    this.docs.set(id, newDoc);
    this.sink.put(this.ns, newDoc);
  }

  remove(doc: Document, journal = true): void {
    const id = encodeValue(doc['_id']);
    if (!this.docs.delete(id)) return;
    for (const ix of this.indexes) ix.remove(id, ix.keysOf(doc));
    if (journal) this.sink.del(this.ns, doc['_id']);
  }

  duplicateId(value: unknown): MongoServerError {
    const ix = new SecondaryIndex({ ...ID_INDEX_SPEC, unique: true });
    const k: IndexKey = { key: '', parts: [], values: [value] };
    return ix.duplicate(this.ns, k);
  }

  /** Adds an index; returns false when an identical one exists. Builds over existing docs. */
  addIndex(spec: IndexSpec): boolean {
    for (const existing of this.indexSpecs) {
      const nameClash = existing.name === spec.name;
      const keyClash = sameKey(existing, spec);
      if (nameClash && keyClash && sameOptions(existing, spec)) return false;
      if (nameClash && !keyClash) {
        fail(
          ErrorCode.IndexKeySpecsConflict,
          `An existing index has the same name as the requested index. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(existing)}`,
        );
      }
      if (nameClash || (keyClash && existing['partialFilterExpression'] === undefined)) {
        fail(
          ErrorCode.IndexOptionsConflict,
          nameClash
            ? `An equivalent index already exists with the same name but different options. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(existing)}`
            : `Index already exists with a different name: ${existing.name}`,
        );
      }
    }
    const ix = new SecondaryIndex(spec);
    for (const [id, doc] of this.docs) {
      const keys = ix.keysOf(doc);
      ix.checkUnique(this.ns, id, keys);
      ix.add(id, keys);
    }
    this.indexes.push(ix);
    return true;
  }

  dropIndex(name: string): void {
    const i = this.indexes.findIndex((ix) => ix.name === name);
    if (i < 0) fail(ErrorCode.IndexNotFound, `index not found with name [${name}]`);
    this.indexes.splice(i, 1);
  }

  getById(id: unknown): Document | undefined {
    return this.docs.get(encodeValue(id));
  }

  /**
   * Documents that may match `filter`: an index-backed subset for equality filters on `_id` or
   * on an indexed field, otherwise every document. `exact` says no further test is needed.
   */
  candidates(filter: Filter): { docs: Iterable<Document>; exact: boolean } {
    const { eq, inLists } = equalityConditions(filter);
    const single = Object.keys(filter).length === 1;
    if (eq.has('_id')) {
      const doc = this.getById(eq.get('_id'));
      return { docs: doc ? [doc] : [], exact: single };
    }
    if (inLists.has('_id')) {
      const out: Document[] = [];
      const seen = new Set<string>();
      for (const v of inLists.get('_id')!) {
        const key = encodeValue(v);
        const doc = seen.has(key) ? undefined : this.docs.get(key);
        seen.add(key);
        if (doc) out.push(doc);
      }
      return { docs: out, exact: false };
    }
    if (eq.size > 0) {
      // The index whose leading fields cover the most equality conditions wins.
      let best: SecondaryIndex | undefined;
      let bestLength = 0;
      for (const ix of this.indexes) {
        if (!ix.usableForLookup) continue;
        let length = 0;
        while (length < ix.fields.length && eq.has(ix.fields[length])) length++;
        if (length > bestLength) {
          best = ix;
          bestLength = length;
        }
      }
      if (best) {
        const key = best.fields
          .slice(0, bestLength)
          .map((f) => encodeValue(eq.get(f)))
          .join('|');
        const docs: Document[] = [];
        for (const id of best.lookup(key, bestLength)) {
          const doc = this.docs.get(id);
          if (doc) docs.push(doc);
        }
        return { docs, exact: false };
      }
    }
    return { docs: this.docs.values(), exact: false };
  }

  /** Matching documents in natural order, stopping after `limit` (0 = no limit). */
  match(filter: Filter | undefined, limit = 0): Document[] {
    const f = filter ?? {};
    const compiled = compileFilter(f);
    const { docs, exact } = this.candidates(f);
    const out: Document[] = [];
    for (const doc of docs) {
      if (exact || compiled.matchesAll || compiled.test(doc)) {
        out.push(doc);
        if (limit > 0 && out.length >= limit) break;
      }
    }
    return out;
  }
}
