// Cursor replies: the first batch (find/aggregate) and later ones (getMore), bounded by
// batchSize and by the 16 MiB reply size; the rest stays in an open cursor.
import { BSON, Long, type Document } from 'bson';
import { DEFAULT_BATCH_SIZE, MAX_BATCH_BYTES, type CursorManager } from '../engine/cursors.js';

export function takeBatch(docs: Document[], pos: number, batchSize: number): [Document[], number] {
  const limit = batchSize > 0 ? batchSize : Number.MAX_SAFE_INTEGER;
  const end = Math.min(docs.length, pos + limit);
  if (end - pos <= 1) return [docs.slice(pos, end), end];
  let bytes = 0;
  let i = pos;
  for (; i < end; i++) {
    bytes += BSON.calculateObjectSize(docs[i]);
    if (bytes > MAX_BATCH_BYTES && i > pos) break;
  }
  return [docs.slice(pos, i), i];
}

export function firstBatchReply(
  cursors: CursorManager,
  ns: string,
  docs: Document[],
  batchSize: number | undefined,
  singleBatch: boolean,
): Document {
  // find's batchSize 0 opens the cursor without returning documents.
  const [batch, pos] =
    batchSize === 0 ? [[], 0] : takeBatch(docs, 0, batchSize ?? DEFAULT_BATCH_SIZE);
  const open = pos < docs.length && !singleBatch;
  const id = open ? cursors.add(ns, docs, pos) : Long.ZERO;
  return { cursor: { firstBatch: batch, id, ns }, ok: 1 };
}
