// Engine value model. Documents are plain JS objects; every numeric BSON type becomes a JS number
// so mingo compares mixed numeric types by value. Where the number alone would not round-trip
// (a Double holding 5, an Int64, a Decimal128) the container records the original type in a
// hidden tag, and a non-enumerable toBSON() restores it when the document is serialized.
import { Decimal128, Double, Int32, Long, type DBRef, type Document } from 'bson';

type NumTag = 'double' | 'long' | { decimal: string; n: number };
type Container = Record<string, unknown> | unknown[];
type Tags = Map<string, NumTag>;

const TAGS = Symbol('numericTypes');
const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Sets an own property, also one named `__proto__` (a plain assignment would set the prototype). */
export function setOwn(o: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  } else o[key] = value;
}

/** An own property's value (never one inherited, such as `__proto__` or `constructor`). */
export function getOwn(o: Record<string, unknown> | unknown[], key: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, key)
    ? (o as Record<string, unknown>)[key]
    : undefined;
}

function tagsOf(c: Container): Tags | undefined {
  return (c as unknown as { [TAGS]?: Tags })[TAGS];
}

function restore(this: Container): Container {
  const tags = tagsOf(this);
  const copy: Record<string, unknown> | unknown[] = Array.isArray(this)
    ? this.slice()
    : { ...this };
  if (!tags) return copy;
  const target = copy as Record<string, unknown>;
  for (const [key, tag] of tags) {
    const v = target[key];
    if (typeof v !== 'number') continue;
    if (tag === 'double') target[key] = new Double(v);
    else if (tag === 'long') target[key] = Number.isInteger(v) ? Long.fromNumber(v) : v;
    else target[key] = Decimal128.fromString(v === tag.n ? tag.decimal : String(v));
  }
  return copy;
}

export function setTag(c: Container, key: string, tag: NumTag | undefined): void {
  let tags = tagsOf(c);
  if (!tag) {
    tags?.delete(key);
    return;
  }
  if (!tags) {
    tags = new Map();
    Object.defineProperty(c, TAGS, { value: tags, enumerable: false, writable: true });
    Object.defineProperty(c, 'toBSON', { value: restore, enumerable: false, writable: true });
  }
  tags.set(key, tag);
}

export function getTag(c: Container, key: string): NumTag | undefined {
  return tagsOf(c)?.get(key);
}

/** An Int64 (bson's Timestamp is a subclass of Long, but a different BSON type). */
export function isLong(v: unknown): v is Long {
  return v instanceof Long && v._bsontype === 'Long';
}

function convertNumber(v: unknown): [unknown, NumTag | undefined] {
  if (v instanceof Int32) return [v.value, undefined];
  if (v instanceof Double) {
    const n = v.value;
    const ambiguous = Object.is(n, -0) || (Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX);
    return [n, ambiguous ? 'double' : undefined];
  }
  if (isLong(v)) {
    const n = v.toNumber();
    return Number.isSafeInteger(n) ? [n, 'long'] : [v, undefined];
  }
  if (v instanceof Decimal128) {
    const s = v.toString();
    const n = Number(s);
    return Number.isFinite(n) ? [n, { decimal: s, n }] : [v, undefined];
  }
  return [v, undefined];
}

// bson decodes {$ref, $id, $db} into a DBRef instance; the engine keeps the document MongoDB
// stores, so paths such as 'owner.$id' reach into it (it is re-encoded as the same bytes).
function fromDBRef(v: DBRef): Record<string, unknown> {
  const out: Record<string, unknown> = { $ref: v.collection, $id: v.oid };
  if (v.db !== undefined && v.db !== '') out['$db'] = v.db;
  Object.assign(out, v.fields);
  return toEngine(out);
}

/** `{$ref, $id, …}`: a DBRef, which MongoDB compares as a document, not as operators. */
export function isDBRefDocument(v: unknown): v is Record<string, unknown> {
  return isPlainObject(v) && '$ref' in v && '$id' in v;
}

const isDBRef = (v: unknown): v is DBRef =>
  v !== null && typeof v === 'object' && (v as { _bsontype?: string })._bsontype === 'DBRef';

/** Converts a freshly decoded value in place (containers are reused) to the engine model. */
export function toEngine<T>(value: T): T {
  if (isDBRef(value)) return fromDBRef(value) as T;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) convertSlot(value, String(i), i);
    return value;
  }
  if (isPlainObject(value)) {
    for (const key of Object.keys(value)) convertSlot(value, key, key);
    return value;
  }
  return convertNumber(value)[0] as T;
}

function convertSlot(c: Container, key: string, index: string | number): void {
  const v = (c as Record<string | number, unknown>)[index];
  if (v === null || typeof v !== 'object') return;
  if (Array.isArray(v) || isPlainObject(v)) {
    toEngine(v);
    return;
  }
  if (isDBRef(v)) {
    (c as Record<string | number, unknown>)[index] = fromDBRef(v);
    return;
  }
  const [n, tag] = convertNumber(v);
  if (n !== v) {
    (c as Record<string | number, unknown>)[index] = n;
    if (tag) setTag(c, key, tag);
  }
}

/** Deep copy of plain objects/arrays (keeping numeric tags); bson values are shared. */
export function cloneValue<T>(value: T): T {
  if (value instanceof Date) return new Date(value.getTime()) as T;
  const isArr = Array.isArray(value);
  if (!isArr && !isPlainObject(value)) return value;
  const src = value as unknown as Record<string, unknown>;
  const out: Record<string, unknown> | unknown[] = isArr ? new Array<unknown>() : {};
  const dst = out as Record<string, unknown>;
  for (const key of Object.keys(src)) setOwn(dst, key, cloneValue(src[key]));
  const tags = tagsOf(value);
  if (tags) for (const [k, t] of tags) setTag(out, k, t);
  return out as T;
}

/** Copies the numeric tag of `from[fromKey]` onto `to[toKey]` (or clears it). */
export function copyTag(from: Container, fromKey: string, to: Container, toKey: string): void {
  setTag(to, toKey, getTag(from, fromKey));
}

export function withIdFirst(doc: Document): Document {
  const keys = Object.keys(doc);
  if (keys[0] === '_id' || !('_id' in doc)) return doc;
  const out: Document = { _id: doc['_id'] as unknown };
  for (const k of keys) if (k !== '_id') setOwn(out, k, doc[k]);
  const tags = tagsOf(doc);
  if (tags) for (const [k, t] of tags) setTag(out, k, t);
  return out;
}

/**
 * Re-attaches numeric tags from `src` to the same, unchanged numbers in `out` (a projection or
 * pipeline result derived from `src`), so projected Int64/Double/Decimal128 keep their type.
 */
export function copyTagsDeep(src: unknown, out: unknown): void {
  if (src === out) return;
  const bothArrays = Array.isArray(src) && Array.isArray(out);
  const bothObjects = isPlainObject(src) && isPlainObject(out);
  if (!bothArrays && !bothObjects) return;
  const s = src as Record<string, unknown>;
  const o = out as Record<string, unknown>;
  const tags = tagsOf(s);
  for (const key of Object.keys(o)) {
    const v = o[key];
    if (typeof v === 'number') {
      const tag = tags?.get(key);
      if (tag && s[key] === v) setTag(o, key, tag);
    } else if (v !== null && typeof v === 'object') copyTagsDeep(s[key], v);
  }
}
