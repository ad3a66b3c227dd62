import { createHash, createHmac, randomBytes, randomInt } from 'node:crypto';

// RFC 8628 §6.1: consonants only, no vowels (no words) and none of the look-alikes 0/O, 1/I/L…
export const CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
export const CODE_LENGTH = 8;
const CODE_PATTERN = new RegExp(`^[${CODE_ALPHABET}]{${String(CODE_LENGTH)}}$`);
// What a person may type between the characters: dashes and any whitespace.
const CODE_SEPARATORS = /[-\s]/g;

const NONCE_BYTES = 16;
const POLL_SECRET_BYTES = 32;

/** A fresh code as shown to people, `XXXX-XXXX` (20^8 ≈ 2.6·10^10 possibilities). */
export function newCode(): string {
  let code = '';
  // randomInt is uniform (rejection sampling), so every character carries log2(20) bits.
  for (let i = 0; i < CODE_LENGTH; i++)
    code += CODE_ALPHABET.charAt(randomInt(CODE_ALPHABET.length));
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/**
 * The compared form of a typed code: dashes and whitespace removed, upper-cased. Null when the
 * result cannot be a code (wrong length or a character outside the alphabet).
 */
export function normalizeCode(input: string): string | null {
  const code = input.replace(CODE_SEPARATORS, '').toUpperCase();
  return CODE_PATTERN.test(code) ? code : null;
}

/**
 * The stored form of a normalized code: HMAC-SHA-256 under a key derived from the signing key,
 * so a database dump alone does not let anyone try the 20^8 codes offline.
 */
export const hashCode = (codeKey: Buffer, normalizedCode: string): string =>
  createHmac('sha256', codeKey).update(normalizedCode, 'utf8').digest('hex');

/** SHA-256 (hex) of a high-entropy secret (pairing or poll secret): what the database holds. */
export const hashSecret = (secret: string): string =>
  createHash('sha256').update(secret, 'utf8').digest('hex');

/** The random, non-secret value stored with a pairing from which its secret is derived. */
export const newNonce = (): string => randomBytes(NONCE_BYTES).toString('base64url');

/**
 * The pairing secret: HMAC-SHA-256(secretKey, pairingId "." nonce), 256 bits in base64url (43
 * characters). Pseudo-random to anyone without the key, and re-derivable by every replica that
 * holds it, so the QR route can render it again while the database keeps only its hash.
 */
export const deriveSecret = (secretKey: Buffer, pairingId: string, nonce: string): string =>
  createHmac('sha256', secretKey).update(`${pairingId}.${nonce}`, 'utf8').digest('base64url');

/** A pending device's poll secret: 32 random bytes, base64url. */
export const newPollSecret = (): string => randomBytes(POLL_SECRET_BYTES).toString('base64url');
