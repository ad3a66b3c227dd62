// What repositories take from their callers, made safe to put in a query.

/** Ids from the caller, as strings: an object would be a query operator. */
export const idList = (ids: readonly string[]): string[] => ids.map((id) => String(id));

/** A batch size from the caller: at least 1. */
export const batchSize = (limit: number): number => Math.max(1, Math.trunc(Number(limit)) || 1);
