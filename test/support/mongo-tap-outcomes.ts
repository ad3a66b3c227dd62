// What a write command did, judged from the server's reply: the tap (mongo-tap.ts) pairs each
// write with its reply, and these functions say whether the server changed anything, so that a
// test can tell a late write that matched nothing (a fenced write past its deadline) from one
// that changed data.
import type { Document } from 'mongodb';

/** The fields of a write's reply that say what it changed. */
export interface WriteReply {
  /** Date.now() when the reply's last byte arrived. */
  at: number;
  ok: boolean;
  /** insert: documents inserted; update: matched + upserted; delete: documents deleted. */
  n?: number;
  /** update: documents actually modified. */
  nModified?: number;
  /** update: how many statements upserted a document. */
  upserted?: number;
  /** findAndModify: `n` (documents updated, removed or upserted), updatedExisting, upserted. */
  lastErrorObject?: { n?: number; updatedExisting?: boolean; upserted?: unknown };
  /** findAndModify: the document returned (null when nothing matched, or new: false upserts). */
  value?: Document | null;
  writeErrors?: { index: number; code: number; errmsg: string }[];
  /** The rest of a reply the tap has no dedicated field for (createIndexes counts, bulkWrite…). */
  other: Document;
  code?: number;
  errmsg?: string;
}

/** A write command as the tap recorded it: what was sent, and the server's answer. */
export interface TappedWrite {
  command: string;
  collection?: string;
  /** The command document, document sequences (kind-1 sections) folded in; absent if unreadable. */
  body?: Document;
  /** The reply; absent until it arrives (and forever for an unacknowledged or compressed write). */
  reply?: WriteReply;
}

export type Change = 'changed' | 'unchanged' | 'unknown';

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** The write-related fields of a reply document. */
export function writeReplyOf(doc: Document, at: number): WriteReply {
  const {
    ok,
    n,
    nModified,
    upserted,
    lastErrorObject,
    value,
    writeErrors,
    code,
    errmsg,
    ...other
  } = doc;
  const reply: WriteReply = { at, ok: ok === 1 || ok === true, other };
  if (num(n) !== undefined) reply.n = num(n);
  if (num(nModified) !== undefined) reply.nModified = num(nModified);
  if (Array.isArray(upserted)) reply.upserted = upserted.length;
  if (typeof lastErrorObject === 'object' && lastErrorObject !== null) {
    const leo = lastErrorObject as Document;
    reply.lastErrorObject = {
      n: num(leo.n),
      updatedExisting: typeof leo.updatedExisting === 'boolean' ? leo.updatedExisting : undefined,
      upserted: leo.upserted as unknown,
    };
  }
  if ('value' in doc) reply.value = (value ?? null) as Document | null;
  if (Array.isArray(writeErrors)) {
    reply.writeErrors = (writeErrors as Document[]).map((e) => ({
      index: Number(e.index),
      code: Number(e.code),
      errmsg: String(e.errmsg),
    }));
  }
  if (num(code) !== undefined) reply.code = num(code);
  if (typeof errmsg === 'string') reply.errmsg = errmsg;
  return reply;
}

/**
 * Whether the server changed something for this write. 'unknown' when the tap cannot tell: no
 * reply (yet, or ever: w:0, a dropped connection), a compressed message, an unreadable reply.
 */
export function changeOf(write: TappedWrite): Change {
  const r = write.reply;
  if (r === undefined) return 'unknown';
  if (!r.ok) return 'unchanged'; // a command that failed as a whole applied nothing
  switch (write.command) {
    case 'insert':
    case 'delete':
      return r.n === undefined ? 'unknown' : r.n > 0 ? 'changed' : 'unchanged';
    case 'update':
      if (r.nModified === undefined) return 'unknown';
      return r.nModified > 0 || (r.upserted ?? 0) > 0 ? 'changed' : 'unchanged';
    case 'findAndModify':
    case 'findandmodify': {
      const n = r.lastErrorObject?.n;
      if (n !== undefined) return n > 0 ? 'changed' : 'unchanged';
      return r.value === undefined ? 'unknown' : r.value === null ? 'unchanged' : 'changed';
    }
    case 'createIndexes': {
      const before = num(r.other.numIndexesBefore);
      const after = num(r.other.numIndexesAfter);
      if (before === undefined || after === undefined) return 'changed';
      return after > before || r.other.createdCollectionAutomatically === true
        ? 'changed'
        : 'unchanged';
    }
    case 'bulkWrite': {
      const counts = ['nInserted', 'nUpserted', 'nModified', 'nDeleted'].map((k) =>
        num(r.other[k]),
      );
      if (counts.some((c) => c === undefined)) return 'unknown';
      return counts.some((c) => (c ?? 0) > 0) ? 'changed' : 'unchanged';
    }
    default:
      // create, drop, renameCollection, commitTransaction, an aggregate with $out / $merge…:
      // succeeded, so it changed something.
      return 'changed';
  }
}

/** The filters of the write's statements: `q` of each update / delete, `query` of findAndModify. */
export function filtersOf(write: TappedWrite): Document[] {
  const body = write.body;
  if (body === undefined) return [];
  const list = (name: string): Document[] =>
    Array.isArray(body[name]) ? (body[name] as Document[]).map((s) => (s.q ?? {}) as Document) : [];
  switch (write.command) {
    case 'update':
      return list('updates');
    case 'delete':
      return list('deletes');
    case 'findAndModify':
    case 'findandmodify':
      return [(body.query ?? {}) as Document];
    default:
      return [];
  }
}

/** Dates as ISO strings, everything else as JSON: for assertion messages. */
const show = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => (x instanceof Date ? x.toISOString() : x)) ?? 'undefined';

/** One line for an assertion message: command, collection, filters and what the reply said. */
export function describeWrite(write: TappedWrite): string {
  const r = write.reply;
  const outcome =
    r === undefined
      ? 'no reply'
      : show({
          ok: r.ok,
          n: r.n,
          nModified: r.nModified,
          upserted: r.upserted,
          lastErrorObject: r.lastErrorObject,
          value: r.value,
          writeErrors: r.writeErrors,
        });
  const target = `${write.command} ${write.collection ?? '?'}`;
  return `${target} filter ${show(filtersOf(write))} → ${outcome}`;
}
