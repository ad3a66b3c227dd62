import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestBackends, randomSuffix, type TestBackends } from '../../support/backends.js';
import { startTestApp } from '../../support/test-app.js';
import { getWithToken, signUp } from './auth-client.js';

const kids = async (baseUrl: string): Promise<string[]> => {
  const { keys } = (await (await fetch(`${baseUrl}/.well-known/jwks.json`)).json()) as {
    keys: { kid: string }[];
  };
  return keys.map((k) => k.kid);
};

describe('auth: the generated signing key survives a restart', () => {
  let backends: TestBackends;
  let dataDir: string;

  before(async () => {
    backends = await startTestBackends();
    dataDir = await mkdtemp(join(tmpdir(), 'sx-auth-keys-'));
  });
  after(async () => {
    await backends.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('generates a private key (0600) once and keeps accepting its tokens after a restart', async () => {
    const env = {
      DATA_DIR: dataDir,
      MONGODB_URI: `${backends.mongoUri}/sx_keys_${randomSuffix()}`,
    };
    const first = await startTestApp({ backends, env });
    let token: string;
    let kid: string[];
    try {
      kid = await kids(first.baseUrl);
      assert.equal(kid.length, 1);
      assert.match(kid[0] ?? '', /^[\w-]{43}$/, 'RFC 7638 thumbprint');
      token = (await signUp(first.baseUrl)).accessToken;
    } finally {
      await first.close();
    }
    const file = await stat(join(dataDir, 'keys', 'jwt-private.pem'));
    assert.equal(file.mode & 0o777, 0o600);

    const second = await startTestApp({ backends, env });
    try {
      assert.deepEqual(await kids(second.baseUrl), kid);
      assert.equal((await getWithToken(second.baseUrl, '/v1/auth/me', token)).status, 200);
    } finally {
      await second.close();
    }
  });
});
