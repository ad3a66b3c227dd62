// deploy/keys/install-jwt-key.mjs, the compose job that gives both API replicas one signing key:
// generated once and kept, or the operator's own, installed whole; a bad key changes nothing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, createPrivateKey } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoPath } from './repo-files.js';

const script = repoPath('deploy/keys/install-jwt-key.mjs');

function dirs(): { supplied: string; keys: string; key: string } {
  const root = mkdtempSync(join(tmpdir(), 'sx-jwt-key-'));
  const supplied = join(root, 'supplied');
  const keys = join(root, 'keys');
  mkdirSync(supplied);
  mkdirSync(keys);
  return { supplied, keys, key: join(keys, 'jwt-private-key.pem') };
}

const install = (supplied: string, keys: string) =>
  spawnSync(process.execPath, [script, supplied, keys], { encoding: 'utf8' });

const rsaPem = (): string =>
  generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  }).privateKey;
const ed25519Pem = (): string =>
  generateKeyPairSync('ed25519', {
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  }).privateKey;

describe('the jwt-key job', () => {
  it('generates an RSA key on the first run, readable by its owner only, and keeps it', () => {
    const d = dirs();
    assert.equal(install(d.supplied, d.keys).status, 0);
    const first = readFileSync(d.key, 'utf8');
    assert.equal(createPrivateKey(first).asymmetricKeyType, 'rsa');
    assert.equal(statSync(d.key).mode & 0o777, 0o400);
    assert.equal(install(d.supplied, d.keys).status, 0);
    assert.equal(readFileSync(d.key, 'utf8'), first, 'a second run keeps the key');
  });

  it("installs the operator's key over the generated one (rotation)", () => {
    const d = dirs();
    install(d.supplied, d.keys);
    const own = rsaPem();
    writeFileSync(join(d.supplied, 'jwt-private-key.pem'), own);
    const r = install(d.supplied, d.keys);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(d.key, 'utf8'), own);
    assert.deepEqual(readdirSync(d.keys), ['jwt-private-key.pem'], 'no partial file left');
  });

  it('refuses a supplied key that is not RSA and leaves the installed one alone', () => {
    const d = dirs();
    install(d.supplied, d.keys);
    const before = readFileSync(d.key, 'utf8');
    writeFileSync(join(d.supplied, 'jwt-private-key.pem'), ed25519Pem());
    const r = install(d.supplied, d.keys);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /not a PEM RSA private key/);
    assert.equal(readFileSync(d.key, 'utf8'), before);
  });
});
