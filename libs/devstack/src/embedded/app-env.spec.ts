import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { devstackAppEnv } from './app-env.js';
import { planLaunch } from './launch-plan.js';

const running = (s3Host: string, port = 9000) => ({
  mongo: { uri: 'mongodb://127.0.0.1:27018' },
  s3: { port, region: 'us-east-1', credentials: { accessKeyId: 'k', secretAccessKey: 's' } },
  s3Host,
});

const devstackOf = (env: Record<string, string>) => {
  const { devstack } = planLaunch(env, '/srv/sharexpress');
  assert.ok(devstack);
  return devstack;
};

describe('the apps on the embedded devstack', () => {
  it('get the same settings as before DEVSTACK_S3_HOST existed when nothing is set', () => {
    assert.deepEqual(devstackAppEnv(devstackOf({}), running('127.0.0.1')), {
      MONGODB_URI: 'mongodb://127.0.0.1:27018/sharexpress',
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      S3_REGION: 'us-east-1',
      S3_ACCESS_KEY_ID: 'k',
      S3_SECRET_ACCESS_KEY: 's',
    });
  });

  it("reach a wildcard-bound S3 on loopback and sign presigned URLs for PUBLIC_URL's host", () => {
    const plan = devstackOf({
      DEVSTACK_S3_HOST: '0.0.0.0',
      PUBLIC_URL: 'http://192.168.1.20:3000',
    });
    // The port is the one the server got (a taken default falls back to another).
    const env = devstackAppEnv(plan, running('0.0.0.0', 9005));
    assert.equal(env.S3_ENDPOINT, 'http://127.0.0.1:9005');
    assert.equal(env.S3_PUBLIC_ENDPOINT, 'http://192.168.1.20:9005');
  });

  it('use a specific bind address for both', () => {
    const env = devstackAppEnv(
      devstackOf({ DEVSTACK_S3_HOST: '192.168.1.20' }),
      running('192.168.1.20'),
    );
    assert.equal(env.S3_ENDPOINT, 'http://192.168.1.20:9000');
    assert.equal(env.S3_PUBLIC_ENDPOINT, undefined);
  });

  it("get no S3_PUBLIC_ENDPOINT over the operator's own", () => {
    const plan = devstackOf({
      DEVSTACK_S3_HOST: '::',
      S3_PUBLIC_ENDPOINT: 'http://phone-reachable.lan:9000',
    });
    const env = devstackAppEnv(plan, running('::'));
    assert.equal(env.S3_ENDPOINT, 'http://127.0.0.1:9000');
    assert.equal('S3_PUBLIC_ENDPOINT' in env, false);
  });
});
