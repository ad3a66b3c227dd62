import { Injectable } from '@nestjs/common';
import { hkdfSync } from 'node:crypto';
import { KeyRing } from './key-ring.js';

export const PAIRING_CODE_INFO = 'sharexpress pairing code v1';
export const PAIRING_SECRET_INFO = 'sharexpress pairing secret v1';
const KEY_BYTES = 32;

/** HKDF-SHA-256 (RFC 5869) of the signing key's PKCS#8 DER, empty salt, 32 bytes. */
export function derivePairingKey(keys: KeyRing, info: string): Buffer {
  const der = keys.active.privateKey.export({ type: 'pkcs8', format: 'der' });
  return Buffer.from(hkdfSync('sha256', der, Buffer.alloc(0), info, KEY_BYTES));
}

/**
 * Server keys of the pairing flow, derived once from the active token-signing private key, so
 * they exist on every replica that shares that key and never in the database. `codeKey()` keys
 * the HMAC of pairing codes: a database dump alone cannot brute-force the 20^8 code space
 * without the signing key. A key rotation changes both keys; pairings live minutes, so those
 * created before a rotation simply stop matching.
 */
@Injectable()
export class PairingSecrets {
  private readonly code: Buffer;
  private readonly secret: Buffer;

  constructor(keys: KeyRing) {
    this.code = derivePairingKey(keys, PAIRING_CODE_INFO);
    this.secret = derivePairingKey(keys, PAIRING_SECRET_INFO);
  }

  /** The HMAC key of pairing codes (info 'sharexpress pairing code v1'). A copy. */
  codeKey(): Buffer {
    return Buffer.from(this.code);
  }

  /**
   * The key from which a pairing's secret is re-derived from its stored nonce (info
   * 'sharexpress pairing secret v1'), independent of `codeKey()`. A copy.
   */
  secretKey(): Buffer {
    return Buffer.from(this.secret);
  }
}
