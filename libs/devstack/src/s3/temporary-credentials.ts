// Temporary credentials as STS hands them out (AssumeRole, web identity, instance profiles): an
// ASIA… key, a secret and a session token, valid until their expiration. The server accepts them
// beside its long-term keys, so tests can exercise what IAM roles do to clients.
import { randomBytes } from 'node:crypto';
import type { Credentials } from './sigv4.js';

export interface TemporaryS3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** New temporary credentials valid for `ttlMs`, and the record the server verifies them with. */
export function mintTemporaryCredentials(
  ttlMs: number,
  now = Date.now(),
): { issued: TemporaryS3Credentials; accepted: Credentials } {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError('ttlMs must be positive');
  const id = [...randomBytes(16)].map((b) => KEY_ALPHABET[b % KEY_ALPHABET.length]).join('');
  const issued: TemporaryS3Credentials = {
    accessKeyId: `ASIA${id}`,
    secretAccessKey: randomBytes(30).toString('base64'),
    // Real tokens are long base64 (with + / =), so they test a client's URL encoding too.
    sessionToken: randomBytes(300).toString('base64'),
    expiration: new Date(now + ttlMs),
  };
  return {
    issued,
    accepted: {
      accessKeyId: issued.accessKeyId,
      secretAccessKey: issued.secretAccessKey,
      sessionToken: issued.sessionToken,
      expiresAt: issued.expiration.getTime(),
    },
  };
}
