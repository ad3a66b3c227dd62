import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { jwkThumbprint, KeyRing } from './key-ring.js';
import { GENERATED_KEY_PATH, loadSigningKey } from './load-signing-key.js';

const dirs: string[] = [];
const tempDir = async (): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), 'sx-keys-'));
  dirs.push(dir);
  return dir;
};
after(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('JWK thumbprint', () => {
  it('matches the RFC 7638 example', () => {
    // RFC 7638 section 3.1.
    const n =
      '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw';
    const key = createPublicKey({ key: { kty: 'RSA', n, e: 'AQAB' }, format: 'jwk' });
    assert.equal(jwkThumbprint(key), 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });
});

describe('signing key', () => {
  it('generates a private key once (mode 0600) and reuses it on restart', async () => {
    const dataDir = await tempDir();
    const first = await loadSigningKey({ dataDir });
    const second = await loadSigningKey({ dataDir });
    assert.equal(first.kid, second.kid);
    assert.equal(first.kid, jwkThumbprint(first.publicKey));
    const file = join(dataDir, GENERATED_KEY_PATH);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await stat(join(dataDir, 'keys'))).mode & 0o777, 0o700);
    assert.match(await readFile(file, 'utf8'), /BEGIN PRIVATE KEY/);
  });

  it('agrees on one key when two processes start at once', async () => {
    const dataDir = await tempDir();
    const [a, b] = await Promise.all([loadSigningKey({ dataDir }), loadSigningKey({ dataDir })]);
    assert.equal(a.kid, b.kid);
  });

  it('uses a configured key and kid without touching the data directory', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const key = await loadSigningKey({
      privateKeyPem: pem,
      keyId: 'k-2026',
      dataDir: '/nonexistent',
    });
    assert.equal(key.kid, 'k-2026');
  });
});

describe('key ring', () => {
  it('publishes the active and extra keys, and resolves only known kids', async () => {
    const active = await loadSigningKey({ dataDir: await tempDir() });
    const old = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    const ring = new KeyRing(active, [
      { kid: 'old', publicKeyPem: old.export({ type: 'spki', format: 'pem' }).toString() },
    ]);
    assert.deepEqual(
      ring.jwks.keys.map((k) => [k.kid, k.kty, k.alg, k.use, k.e]),
      [
        [active.kid, 'RSA', 'RS256', 'sig', 'AQAB'],
        ['old', 'RSA', 'RS256', 'sig', 'AQAB'],
      ],
    );
    assert.ok(ring.verificationKey('old'));
    assert.equal(ring.verificationKey('nope'), undefined);
    assert.ok(!JSON.stringify(ring.jwks).includes('"d"'));
  });
});
