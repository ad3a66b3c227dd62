// A collection: documents in insertion order keyed by their encoded _id (which doubles as the
// _id index), plus secondary indexes kept in step on every write.
import type { Document } from 'bson';
import { ErrorCode, MongoServerError, fail } from '../errors.js';
import { SecondaryIndex } from '../indexes/index.js';
import { encodeValue, type IndexKey } from '../indexes/key.js';
import { sameKey, sameOptions, type IndexSpec } from '../indexes/spec.js';
import { lookupCandidates } from './candidates.js';
import { compileFilter, type Filter } from './query.js';

export interface ChangeSink {
  put(ns: string, doc: Document): void;
  del(ns: string, id: unknown): void;
}

export const ID_INDEX_SPEC: IndexSpec = { v: 2, key: { _id: 1 }, name: '_id_' };

export class Collection {
  readonly docs = new Map<string, Document>();
  readonly indexes: SecondaryIndex[] = [];
  // Insertion rank of each stored _id (an update keeps it, as it keeps the Map's order), so
  // candidates found through an index come back in the order of a scan.
  private readonly position = new Map<string, number>();
  private nextPosition = 0;

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
    this.position.set(id, this.nextPosition++);
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
    this.position.delete(id);
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
   * Documents that may match `filter`, in natural order: an index-backed subset when the filter
   * pins `_id` or an index's leading fields (equality or `$in`), otherwise every document.
   * `exact` says no further test is needed.
   */
  candidates(filter: Filter): { docs: Iterable<Document>; exact: boolean } {
    const found = lookupCandidates(filter, this.indexes);
    if (!found) return { docs: this.docs.values(), exact: false };
    return { docs: this.inNaturalOrder(found.ids), exact: found.exact };
  }

  // The same order a scan would give, whichever lookup found the ids.
  private inNaturalOrder(ids: readonly string[]): Document[] {
    const unique = new Set(ids);
    const out: Document[] = [];
    if (unique.size * 8 >= this.docs.size) {
      for (const [id, doc] of this.docs) if (unique.has(id)) out.push(doc);
      return out;
    }
    const present = [...unique].filter((id) => this.docs.has(id));
    present.sort((a, b) => this.position.get(a)! - this.position.get(b)!);
    for (const id of present) out.push(this.docs.get(id)!);
    return out;
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
