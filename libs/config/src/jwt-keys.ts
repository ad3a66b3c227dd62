// Reads the JWT key settings: the active RS256 signing key and extra verification-only keys
// (for rotation). Problems go to the reader; key material is never echoed.
import { createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { EnvReader } from './env-reader.js';

export interface VerifyKey {
  kid: string;
  publicKeyPem: string;
}

// Env files often carry PEMs on one line with literal "\n".
const unescapePem = (value: string): string => value.replace(/\\n/g, '\n');

function readSecret(env: EnvReader, name: string): string | undefined {
  const inline = env.raw(name);
  const file = env.raw(`${name}_FILE`);
  if (inline !== undefined && file !== undefined) {
    return env.fail(name, `set either ${name} or ${name}_FILE, not both`);
  }
  if (file !== undefined) {
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? 'unreadable';
      return env.fail(`${name}_FILE`, `cannot read the file (${reason})`);
    }
  }
  return inline;
}

function isRsa(key: KeyObject): boolean {
  return key.asymmetricKeyType === 'rsa';
}

export function readSigningKey(env: EnvReader): string | undefined {
  const text = readSecret(env, 'JWT_PRIVATE_KEY');
  if (text === undefined) return undefined;
  const pem = unescapePem(text);
  try {
    if (!isRsa(createPrivateKey(pem))) return env.fail('JWT_PRIVATE_KEY', 'must be an RSA key');
  } catch {
    return env.fail('JWT_PRIVATE_KEY', 'must be a PEM-encoded RSA private key');
  }
  return pem;
}

const KID = /^[A-Za-z0-9._~-]{1,128}$/;

function toVerifyKey(entry: unknown): VerifyKey | string {
  if (typeof entry !== 'object' || entry === null) return 'each key must be an object';
  const { kid, publicKeyPem } = entry as { kid?: unknown; publicKeyPem?: unknown };
  if (typeof kid !== 'string' || !KID.test(kid)) return 'each key needs a kid ([A-Za-z0-9._~-])';
  try {
    // Either {kid, publicKeyPem} or a JWK (as in a JWKS document).
    const key =
      typeof publicKeyPem === 'string'
        ? createPublicKey(unescapePem(publicKeyPem))
        : createPublicKey({ key: entry as JsonWebKey, format: 'jwk' });
    if (!isRsa(key)) return `key ${kid} must be an RSA key`;
    return { kid, publicKeyPem: key.export({ type: 'spki', format: 'pem' }).toString() };
  } catch {
    return `key ${kid} is not a valid public key`;
  }
}

export function readVerifyKeys(env: EnvReader): VerifyKey[] {
  const text = readSecret(env, 'JWT_VERIFY_KEYS');
  if (text === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    env.fail('JWT_VERIFY_KEYS', 'must be JSON: [{"kid","publicKeyPem"}] or a JWKS {"keys":[...]}');
    return [];
  }
  const list: unknown =
    typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as { keys?: unknown }).keys
      : parsed;
  if (!Array.isArray(list)) {
    env.fail('JWT_VERIFY_KEYS', 'must be a JSON array of keys or a JWKS {"keys":[...]}');
    return [];
  }
  const keys: VerifyKey[] = [];
  for (const entry of list) {
    const key = toVerifyKey(entry);
    if (typeof key === 'string') {
      env.fail('JWT_VERIFY_KEYS', key);
      return [];
    }
    keys.push(key);
  }
  return keys;
}
