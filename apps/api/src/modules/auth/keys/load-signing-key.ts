import { createPrivateKey, createPublicKey, generateKeyPair } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { jwkThumbprint, type SigningKey } from './key-ring.js';

export interface SigningKeySettings {
  privateKeyPem?: string;
  keyId?: string;
  dataDir: string;
}

export const GENERATED_KEY_PATH = join('keys', 'jwt-private.pem');

const generatePem = (): Promise<string> =>
  new Promise((resolve, reject) => {
    generateKeyPair(
      'rsa',
      {
        modulusLength: 2048,
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
        publicKeyEncoding: { type: 'spki', format: 'pem' },
      },
      (error, _publicKey, privateKey) => (error === null ? resolve(privateKey) : reject(error)),
    );
  });

const isCode = (error: unknown, code: string): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;

/** Reads DATA_DIR/keys/jwt-private.pem, creating it (0600, directory 0700) on first start. */
async function readOrCreateKeyFile(dataDir: string): Promise<string> {
  const dir = join(dataDir, 'keys');
  const path = join(dataDir, GENERATED_KEY_PATH);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (!isCode(error, 'ENOENT')) throw error;
  }
  const pem = await generatePem();
  try {
    // 'wx': when two processes start together, the first file wins and both use it.
    await writeFile(path, pem, { mode: 0o600, flag: 'wx' });
    await chmod(path, 0o600);
    return pem;
  } catch (error) {
    if (!isCode(error, 'EEXIST')) throw error;
    return readFile(path, 'utf8');
  }
}

/** The active RS256 key: configured, or generated once under the data directory and reused. */
export async function loadSigningKey(settings: SigningKeySettings): Promise<SigningKey> {
  const pem = settings.privateKeyPem ?? (await readOrCreateKeyFile(settings.dataDir));
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'rsa') throw new Error('the JWT signing key must be RSA');
  const publicKey = createPublicKey(privateKey);
  return { kid: settings.keyId ?? jwkThumbprint(publicKey), privateKey, publicKey };
}
