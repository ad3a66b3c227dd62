import type { Types } from 'mongoose';

/**
 * What `lean()` returns for a schema `T`: its fields plus `_id` and no document methods. Internal
 * to libs/database: repositories map it to a plain record before anything leaves the library.
 */
export type LeanDoc<T> = T & { _id: Types.ObjectId; __v?: number };
