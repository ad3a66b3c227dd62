// docker-compose.yml's one-shot `jwt-key` job: puts the API's RS256 signing key where both API
// replicas read it (JWT_PRIVATE_KEY_FILE on the jwt-key volume), so a token signed by one replica
// verifies on the other.
//   node install-jwt-key.mjs <supplied-dir> <keys-dir>
// - <supplied-dir>/jwt-private-key.pem exists (deploy/secrets/, never committed): it is
//   installed, also over an older key (rotation: re-create the API replicas afterwards).
// - it does not: the key already installed is kept, or a new one is generated on the first run.
// Either way the key is written whole or not at all, readable only by the API's user.
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { chownSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const NAME = 'jwt-private-key.pem';
// The image's unprivileged user, which runs the API.
const APP_UID = 1000;
const APP_GID = 1000;

const [suppliedDir, keysDir] = process.argv.slice(2);
if (suppliedDir === undefined || keysDir === undefined) {
  console.error('usage: install-jwt-key.mjs <supplied-dir> <keys-dir>');
  process.exit(64);
}
const supplied = join(suppliedDir, NAME);
const target = join(keysDir, NAME);

function install(pem, what) {
  const partial = `${target}.partial`;
  writeFileSync(partial, pem, { mode: 0o400 });
  // Compose runs this as root; the API runs as APP_UID and must be able to read the key.
  if (process.getuid?.() === 0) chownSync(partial, APP_UID, APP_GID);
  renameSync(partial, target);
  console.log(`jwt-key: ${what}`);
}

if (existsSync(supplied)) {
  const pem = readFileSync(supplied, 'utf8');
  let type;
  try {
    type = createPrivateKey(pem).asymmetricKeyType;
  } catch {
    type = undefined;
  }
  if (type !== 'rsa') {
    console.error(`jwt-key: ${supplied} is not a PEM RSA private key; nothing installed`);
    process.exit(1);
  }
  if (existsSync(target) && readFileSync(target, 'utf8') === pem) {
    console.log('jwt-key: the supplied key is already installed');
  } else {
    install(pem, 'installed the supplied key');
  }
} else if (existsSync(target)) {
  console.log('jwt-key: keeping the installed key');
} else {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  install(privateKey, 'generated a new key');
}
