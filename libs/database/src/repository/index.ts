// Helpers for the repositories inside libs/database; not part of the @app/database barrel.
//
// Repository convention (libs/database/src/<entity>/):
// - `<entity>.schema.ts`: the `@Schema()` class and its indexes, each with a comment naming the
//   query it serves.
// - `<entity>.repository.ts`: an abstract `<Entity>Repository` with plain signatures (records with
//   string ids, no mongoose or mongodb type), which is what the barrel exports and what callers
//   inject, and its `Mongoose<Entity>Repository` implementation. The implementation takes the
//   owner/session id it is scoped to, queries with `lean()` and maps each document with a
//   `to<Entity>Record()` that picks the record's fields one by one (a field added to the schema
//   never leaks by accident). State changes are single-document atomic updates (conditional
//   `findOneAndUpdate`); no multi-document transactions. E11000 becomes a CONFLICT with
//   `conflictOnDuplicate()`.
// - `<entity>-database.module.ts`: registers the schema and binds the abstract class to its
//   implementation.
// - Specs against the devstack MongoDB over TCP (or MONGODB_URI) live in libs/database/test/.
export * from './duplicate-key.js';
export * from './keyset-cursor.js';
export * from './lean-doc.js';
export * from './query-inputs.js';
export * from './hot-collection.js';
export * from './random-id.js';
