import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { createStorage } from '../storage.factory.js';
import type { S3Settings } from '../s3-client.factory.js';
import { credentialsFor } from './credentials-for.js';

const settings = (credentials: S3Settings['credentials']): S3Settings => ({
  endpoint: 'http://127.0.0.1:9000',
  publicEndpoint: 'http://127.0.0.1:9000',
  region: 'eu-west-3',
  bucket: 'b',
  credentials,
  forcePathStyle: true,
  connectTimeoutMs: 1000,
  requestTimeoutMs: 1000,
  maxAttempts: 1,
  breakerFailures: 5,
  breakerHalfOpenMs: 5000,
});

describe('credentialsFor', () => {
  it('uses static keys at once, with their session token', async () => {
    const signing = credentialsFor(
      settings({ accessKeyId: 'ASIASTATIC', secretAccessKey: 's', sessionToken: 'tok' }),
    );
    assert.deepEqual(signing.current(), {
      accessKeyId: 'ASIASTATIC',
      secretAccessKey: 's',
      sessionToken: 'tok',
    });
    assert.equal((await signing.provide()).sessionToken, 'tok');
  });

  describe('without static keys: the SDK default chain', () => {
    // The chain's first link reads AWS_* from the environment, as on a host that exports them;
    // this process's own environment is the only way to feed it.
    const vars = {
      AWS_ACCESS_KEY_ID: 'ASIAFROMENV',
      AWS_SECRET_ACCESS_KEY: 'env-secret',
      AWS_SESSION_TOKEN: 'env/token+1==',
      AWS_CREDENTIAL_EXPIRATION: new Date(Date.now() + 120_500).toISOString(),
    };
    const saved: Record<string, string | undefined> = {};
    before(() => {
      for (const [name, value] of Object.entries(vars)) {
        // eslint-disable-next-line no-restricted-properties -- feeding the SDK's chain, see above
        saved[name] = process.env[name];
        // eslint-disable-next-line no-restricted-properties -- feeding the SDK's chain, see above
        process.env[name] = value;
      }
    });
    after(() => {
      for (const [name, value] of Object.entries(saved)) {
        // eslint-disable-next-line no-restricted-properties -- restoring what the test changed
        if (value === undefined) delete process.env[name];
        // eslint-disable-next-line no-restricted-properties -- restoring what the test changed
        else process.env[name] = value;
      }
    });

    it('signs presigned URLs with the temporary credentials it finds, token and expiry', async () => {
      const storage = createStorage(settings(null));
      try {
        // Fetched in the background from the start; the presigner refuses (503) until then.
        let url: URL | undefined;
        for (let i = 0; i < 100 && url === undefined; i++) {
          try {
            url = new URL(storage.presigner.presignGet({ key: 'k', expiresInSeconds: 900 }).url);
          } catch {
            await sleep(20);
          }
        }
        assert.ok(url, 'the default chain gave no credentials');
        assert.match(url.searchParams.get('X-Amz-Credential') ?? '', /^ASIAFROMENV\//);
        assert.equal(url.searchParams.get('X-Amz-Security-Token'), vars.AWS_SESSION_TOKEN);
        // About two minutes left of the credentials: the URL gets no more.
        const expires = Number(url.searchParams.get('X-Amz-Expires'));
        assert.ok(expires > 100 && expires <= 121, String(expires));
      } finally {
        storage.close();
      }
    });
  });
});
