import assert from 'node:assert/strict';
import { generateKeyPairSync, hkdfSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { jwkThumbprint, KeyRing } from './key-ring.js';
import { PairingSecrets } from './pairing-secrets.js';

const ring = (): KeyRing => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return new KeyRing({ kid: jwkThumbprint(publicKey), privateKey, publicKey }, []);
};

describe('PairingSecrets', () => {
  const keys = ring();

  it('derives the code key as HKDF-SHA-256 of the signing key (PKCS#8 DER, empty salt, 32 bytes)', () => {
    const der = keys.active.privateKey.export({ type: 'pkcs8', format: 'der' });
    const expected = Buffer.from(
      hkdfSync('sha256', der, Buffer.alloc(0), 'sharexpress pairing code v1', 32),
    );
    const codeKey = new PairingSecrets(keys).codeKey();
    assert.equal(codeKey.length, 32);
    assert.deepEqual(codeKey, expected);
  });

  it('is deterministic for one key: every replica sharing it derives the same keys', () => {
    const a = new PairingSecrets(keys);
    // Another KeyRing object over the same private key, as another process would load it.
    const b = new PairingSecrets(new KeyRing(keys.active, []));
    assert.deepEqual(a.codeKey(), b.codeKey());
    assert.deepEqual(a.secretKey(), b.secretKey());
    assert.deepEqual(a.codeKey(), a.codeKey());
  });

  it('differs for another signing key, and between the code and the secret key', () => {
    const a = new PairingSecrets(keys);
    const other = new PairingSecrets(ring());
    assert.notDeepEqual(a.codeKey(), other.codeKey());
    assert.notDeepEqual(a.secretKey(), other.secretKey());
    assert.notDeepEqual(a.codeKey(), a.secretKey());
  });

  it('hands out copies, so a caller cannot change the key for everyone', () => {
    const secrets = new PairingSecrets(keys);
    const before = secrets.codeKey();
    secrets.codeKey().fill(0);
    assert.deepEqual(secrets.codeKey(), before);
  });
});
