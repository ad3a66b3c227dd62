/**
 * A deadline a write carries to the server: it changes nothing once the server's clock has
 * reached `notAfter`. The worker passes its lease's end (less a safety margin), so a write sent
 * late, by a process paused or cut off between its lease check and the socket, matches nothing.
 */
export interface WriteFence {
  notAfter: Date;
}

/**
 * What a caller holding a lease (a worker job) hands a library that writes for it, called right
 * before each database write: it throws to stop the write (the lease is lost), else returns the
 * deadline the write must carry, or undefined for none.
 */
export type WriteGate = () => WriteFence | undefined;

/**
 * `filter` with the fence's condition added: `$expr: { $lt: ['$$NOW', notAfter] }`. MongoDB
 * evaluates `$$NOW` itself, once per statement, when the statement runs: the client's clock plays
 * no part. An existing `$expr` is kept, both under `$and`. No fence: the filter unchanged.
 */
export function fenced<const F extends object>(filter: F, fence: WriteFence | undefined): F {
  if (fence === undefined) return filter;
  const notAfter = new Date(fence.notAfter);
  if (Number.isNaN(notAfter.getTime())) throw new RangeError('a write fence needs a valid date');
  // A fresh object each time: Mongoose casts `$expr` in place.
  const deadline = { $lt: ['$$NOW', notAfter] };
  const existing: unknown = '$expr' in filter ? filter.$expr : undefined;
  return { ...filter, $expr: existing === undefined ? deadline : { $and: [existing, deadline] } };
}
