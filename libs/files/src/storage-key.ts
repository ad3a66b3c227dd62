/** Every file object lives under this prefix (what the worker's reconciliation lists). */
export const FILE_KEY_PREFIX = 'sessions/';

/** Ids only, never the name: nothing a client sends ends up in a storage key. */
export const storageKeyOf = (sessionId: string, fileId: string): string =>
  `${FILE_KEY_PREFIX}${sessionId}/files/${fileId}`;

/**
 * The ids a key built by storageKeyOf names; null for any other key (a foreign object under the
 * prefix). Only a key that storageKeyOf would build again from the ids it names parses, so no
 * variant (an extra segment, an empty id) passes for a file's key.
 */
export function parseStorageKey(key: string): { sessionId: string; fileId: string } | null {
  const parts = key.split('/');
  if (parts.length !== 4 || parts[2] !== 'files') return null;
  const [, sessionId = '', , fileId = ''] = parts;
  if (sessionId === '' || fileId === '') return null;
  return storageKeyOf(sessionId, fileId) === key ? { sessionId, fileId } : null;
}
