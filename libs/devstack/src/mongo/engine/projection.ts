// Projections: plain top-level inclusion/exclusion is done here (fast, keeps numeric types);
// anything richer (dotted paths, $slice, $elemMatch, expressions) goes through mingo.
import type { Document } from 'bson';
import { Query } from 'mingo/query';
import { ENGINE_CONTEXT } from './mingo-context.js';
import { fail } from '../errors.js';
import { translateMingoError } from './query.js';
import { copyTagsDeep, getTag, isPlainObject, setTag } from './values.js';

export type Projector = (docs: Document[]) => Document[];

const identity: Projector = (docs) => docs;

export function compileProjection(spec: Document | undefined): Projector {
  if (!spec || Object.keys(spec).length === 0) return identity;
  const entries = Object.entries(spec);
  const simple = entries.every(
    ([k, v]) =>
      !k.includes('.') && !k.startsWith('$') && (typeof v === 'number' || typeof v === 'boolean'),
  );
  if (simple) {
    const nonId = entries.filter(([k]) => k !== '_id');
    const include = nonId.length > 0 ? Boolean(nonId[0][1]) : Boolean(spec['_id']);
    if (nonId.some(([, v]) => Boolean(v) !== include)) {
      fail(31254, 'Cannot do exclusion on field in inclusion projection');
    }
    const idExcluded = '_id' in spec && !spec['_id'];
    const fields = nonId.map(([k]) => k);
    return (docs) => docs.map((d) => project(d, fields, include, idExcluded));
  }
  return (docs) => {
    try {
      const out = new Query(
        {},
        { useStrictMode: true, scriptEnabled: false, context: ENGINE_CONTEXT },
      )
        .find<Document>(docs, spec)
        .all();
      out.forEach((d, i) => copyTagsDeep(docs[i], d));
      return out;
    } catch (err) {
      throw translateMingoError(err);
    }
  };
}

function project(doc: Document, fields: string[], include: boolean, idExcluded: boolean): Document {
  const out: Document = {};
  if (include) {
    if (!idExcluded && '_id' in doc) out['_id'] = doc['_id'] as unknown;
    for (const f of fields) if (f in doc) copy(doc, out, f);
  } else {
    const drop = new Set(fields);
    if (idExcluded) drop.add('_id');
    for (const k of Object.keys(doc)) if (!drop.has(k)) copy(doc, out, k);
  }
  return out;
}

function copy(from: Document, to: Document, key: string): void {
  to[key] = from[key] as unknown;
  const tag = getTag(from, key);
  if (tag) setTag(to, key, tag);
}

export function isInclusionOnlyOf(spec: unknown, field: string): boolean {
  return isPlainObject(spec) && Object.keys(spec).length === 1 && spec[field] === 1;
}
