import type { Collection, Document, Filter } from 'mongodb';
import mongoose, { type Model } from 'mongoose';

/**
 * The collection behind `model`, typed as its lean documents, for the few commands every
 * request of a kind runs (a device's token check, a download's count, a session's events).
 * Through it a command skips Mongoose's query object, casting and middleware (about 70 µs of
 * CPU per command, measured against a lean query), and still waits for the connection the
 * way Mongoose does (it is the model's own collection wrapper, with its buffering). Only for
 * filters and updates that need no casting: string ids, numbers, dates and literal operators,
 * documents that match the schema as they are (no defaults to fill in). The documents read
 * back are what `.lean()` returns.
 */
export function hotCollection<T extends Document>(
  model: Pick<Model<T>, 'collection'>,
): Collection<T> {
  return model.collection as unknown as Collection<T>;
}

/**
 * The document of `model` with `_id` `id`, as `hotCollection(model).findOne({ _id: id })` reads
 * it, sent as one `find` command (`limit: 1`, `singleBatch`) instead of through the driver's
 * cursor: a findOne opens a cursor, runs it and closes it, about 30 µs of client CPU per read
 * here (153 against 125 µs, driver and devstack in one thread). For the read every device
 * request makes. On the primary, as every read of this app (its client sets no other read
 * preference) and as a token check must be: a revoked device is seen at once. Until the
 * connection is open (start-up, MongoDB away) it goes through the model's collection, which
 * waits for it the way Mongoose does.
 */
export async function hotFindById<T extends Document>(
  model: Pick<Model<T>, 'collection' | 'db'>,
  id: string,
  projection: Document,
): Promise<T | null> {
  const db = model.db.readyState === mongoose.ConnectionStates.connected ? model.db.db : undefined;
  if (db === undefined) {
    return (await hotCollection<T>(model).findOne({ _id: id } as Filter<T>, {
      projection,
    })) as T | null;
  }
  const reply = await db.command({
    find: model.collection.collectionName,
    filter: { _id: id },
    projection,
    limit: 1,
    singleBatch: true,
  });
  const batch = (reply.cursor as { firstBatch?: T[] } | undefined)?.firstBatch;
  return batch?.[0] ?? null;
}
