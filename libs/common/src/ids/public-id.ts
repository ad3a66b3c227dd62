import { randomBytes } from 'node:crypto';

// 16 random bytes (128 bits) in base64url: 22 URL-safe characters, never an ObjectId, so an id
// reveals neither creation time nor machine and cannot be guessed from a neighbour.
const PUBLIC_ID_BYTES = 16;
const PUBLIC_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/** A new random public id (sessions, pairings, devices, files). */
export const newPublicId = (): string => randomBytes(PUBLIC_ID_BYTES).toString('base64url');

/** Whether `value` has the shape of a public id (checked before any lookup). */
export const isPublicId = (value: unknown): value is string =>
  typeof value === 'string' && PUBLIC_ID_PATTERN.test(value);
