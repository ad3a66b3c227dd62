// One secondary index: a hash map from encoded key to the ids of the documents holding it.
import type { Document } from 'bson';
import { ErrorCode, MongoServerError } from '../errors.js';
import { compileFilter, type CompiledFilter } from '../engine/query.js';
import { extractKeys, formatKey, missingAll, type IndexKey } from './key.js';
import type { IndexSpec } from './spec.js';

type IdMap = Map<string, string | Set<string>>;

function addId(map: IdMap, key: string, id: string): void {
  const cur = map.get(key);
  if (cur === undefined) map.set(key, id);
  else if (typeof cur === 'string') {
    if (cur !== id) map.set(key, new Set([cur, id]));
  } else cur.add(id);
}

function removeId(map: IdMap, key: string, id: string): void {
  const cur = map.get(key);
  if (cur === id) map.delete(key);
  else if (cur instanceof Set) {
    cur.delete(id);
    if (cur.size === 1) map.set(key, cur.values().next().value!);
    else if (cur.size === 0) map.delete(key);
  }
}

export class SecondaryIndex {
  readonly fields: string[];
  readonly unique: boolean;
  readonly sparse: boolean;
  readonly ttlSeconds: number | undefined;
  private readonly partial: CompiledFilter | undefined;
  private readonly map: IdMap = new Map();
  // Compound indexes also map each key prefix, so equality on leading fields avoids a scan.
  private readonly prefixes: IdMap[];

  constructor(readonly spec: IndexSpec) {
    this.fields = Object.keys(spec.key);
    this.prefixes = this.fields.slice(1).map((): IdMap => new Map());
    this.unique = spec['unique'] === true;
    this.sparse = spec['sparse'] === true;
    const ttl = spec['expireAfterSeconds'] as unknown;
    this.ttlSeconds = typeof ttl === 'number' ? ttl : undefined;
    const pfe = spec['partialFilterExpression'] as unknown;
    this.partial = pfe === undefined ? undefined : compileFilter(pfe);
  }

  get name(): string {
    return this.spec.name;
  }

  /** The keys a document contributes, or none when sparse/partial filtering excludes it. */
  keysOf(doc: Document): IndexKey[] {
    if (this.sparse && missingAll(doc, this.fields)) return [];
    if (this.partial && !this.partial.test(doc)) return [];
    return extractKeys(doc, this.fields);
  }

  /** Throws E11000 if another document already holds one of `keys`. */
  checkUnique(ns: string, id: string, keys: IndexKey[]): void {
    if (!this.unique) return;
    for (const k of keys) {
      const holder = this.map.get(k.key);
      if (holder === undefined) continue;
      const other = typeof holder === 'string' ? holder : [...holder].find((h) => h !== id);
      if (other !== undefined && other !== id) throw this.duplicate(ns, k);
    }
  }

  duplicate(ns: string, k: IndexKey): MongoServerError {
    const keyPattern: Record<string, unknown> = {};
    const keyValue: Record<string, unknown> = {};
    this.fields.forEach((f, i) => {
      keyPattern[f] = this.spec.key[f];
      keyValue[f] = k.values[i] ?? null;
    });
    return new MongoServerError(
      ErrorCode.DuplicateKey,
      `E11000 duplicate key error collection: ${ns} index: ${this.name} dup key: ${formatKey(this.fields, k.values)}`,
      { keyPattern, keyValue },
    );
  }

  add(id: string, keys: IndexKey[]): void {
    for (const k of keys) {
      addId(this.map, k.key, id);
      for (let p = 1; p < this.fields.length; p++)
        addId(this.prefixes[p - 1], k.parts.slice(0, p).join('|'), id);
    }
  }

  remove(id: string, keys: IndexKey[]): void {
    for (const k of keys) {
      removeId(this.map, k.key, id);
      for (let p = 1; p < this.fields.length; p++)
        removeId(this.prefixes[p - 1], k.parts.slice(0, p).join('|'), id);
    }
  }

  /** Ids holding `key`, the encoded values of the first `length` fields (all by default). */
  lookup(key: string, length = this.fields.length): string[] {
    const map = length === this.fields.length ? this.map : this.prefixes[length - 1];
    const cur = map?.get(key);
    if (cur === undefined) return [];
    return typeof cur === 'string' ? [cur] : [...cur];
  }

  /** How many ids `lookup(key, length)` would return, without copying them. */
  count(key: string, length = this.fields.length): number {
    const map = length === this.fields.length ? this.map : this.prefixes[length - 1];
    const cur = map?.get(key);
    if (cur === undefined) return 0;
    return typeof cur === 'string' ? 1 : cur.size;
  }

  /** Whether equality lookups through this index return a superset of the matches. */
  get usableForLookup(): boolean {
    return !this.sparse && !this.partial;
  }
}
