import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_MONGO_PORT, DEFAULT_S3_PORT, LaunchError, planLaunch } from './launch-plan.js';

const CWD = '/srv/sharexpress';

describe('planLaunch', () => {
  it('runs the devstack on the stable default ports when neither MONGODB_URI nor S3_ENDPOINT is set', () => {
    const plan = planLaunch({}, CWD);
    assert.ok(plan.devstack);
    assert.deepEqual(plan.devstack.mongoPort, { port: DEFAULT_MONGO_PORT, explicit: false });
    assert.deepEqual(plan.devstack.s3Port, { port: DEFAULT_S3_PORT, explicit: false });
    assert.equal(plan.devstack.dataDir, '/srv/sharexpress/data');
    assert.equal(plan.devstack.credentials, undefined);
    // The apps get an absolute DATA_DIR and no placeholder connection settings.
    assert.equal(plan.childEnv.DATA_DIR, '/srv/sharexpress/data');
    assert.equal(plan.childEnv.MONGODB_URI, undefined);
    assert.equal(plan.config.port, 3000);
  });

  it('honours DATA_DIR, explicit devstack ports and S3 credentials from the environment', () => {
    const plan = planLaunch(
      {
        DATA_DIR: 'var/sx',
        DEVSTACK_MONGO_PORT: '0',
        DEVSTACK_S3_PORT: '9100',
        S3_ACCESS_KEY_ID: 'dev-key',
        S3_SECRET_ACCESS_KEY: 'dev-secret',
      },
      CWD,
    );
    assert.equal(plan.devstack?.dataDir, '/srv/sharexpress/var/sx');
    assert.deepEqual(plan.devstack?.mongoPort, { port: 0, explicit: true });
    assert.deepEqual(plan.devstack?.s3Port, { port: 9100, explicit: true });
    assert.deepEqual(plan.devstack?.credentials, {
      accessKeyId: 'dev-key',
      secretAccessKey: 'dev-secret',
    });
  });

  it('does not pass a session token from the shell to apps that talk to the embedded devstack', () => {
    const plan = planLaunch({ S3_SESSION_TOKEN: 'left-over-aws-login' }, CWD);
    assert.ok(plan.devstack);
    assert.equal(plan.childEnv.S3_SESSION_TOKEN, undefined);
  });

  it('starts no devstack when both MONGODB_URI and S3_ENDPOINT are set', () => {
    const plan = planLaunch(
      {
        MONGODB_URI: 'mongodb://db.internal:27017/sharexpress',
        S3_ENDPOINT: 'http://minio.internal:9000',
        S3_ACCESS_KEY_ID: 'k',
        S3_SECRET_ACCESS_KEY: 's',
      },
      CWD,
    );
    assert.equal(plan.devstack, undefined);
    assert.equal(plan.childEnv.MONGODB_URI, 'mongodb://db.internal:27017/sharexpress');
  });

  for (const [set, unset] of [
    ['MONGODB_URI', 'S3_ENDPOINT'],
    ['S3_ENDPOINT', 'MONGODB_URI'],
  ] as const) {
    it(`refuses ${set} without ${unset} with a message naming both`, () => {
      const value = set === 'MONGODB_URI' ? 'mongodb://db:27017/x' : 'http://s3:9000';
      assert.throws(
        () => planLaunch({ [set]: value }, CWD),
        (err: unknown) =>
          err instanceof LaunchError && err.message.includes(`${set} is set but ${unset} is not`),
      );
    });
  }

  it('rejects a malformed devstack port', () => {
    assert.throws(
      () => planLaunch({ DEVSTACK_S3_PORT: 'nine' }, CWD),
      /DEVSTACK_S3_PORT: must be an integer between 0 and 65535, got "nine"/,
    );
  });

  it('reports invalid app settings before anything starts, one line per problem', () => {
    assert.throws(
      () => planLaunch({ PORT: 'abc', LOG_LEVEL: 'loud' }, CWD),
      (err: unknown) =>
        err instanceof LaunchError && /PORT: /.test(err.message) && /LOG_LEVEL: /.test(err.message),
    );
  });
});

describe('planLaunch: where the devstack S3 listens and what presigned URLs name', () => {
  it('keeps S3 on loopback and leaves S3_PUBLIC_ENDPOINT to the apps when nothing is set', () => {
    const plan = planLaunch({}, CWD);
    assert.equal(plan.devstack?.s3Host, '127.0.0.1');
    assert.equal(plan.devstack?.s3PublicHost, '127.0.0.1');
    assert.equal(plan.childEnv.S3_PUBLIC_ENDPOINT, undefined);
  });

  it("names PUBLIC_URL's host for a wildcard bind, so a phone that opens the page reaches storage", () => {
    for (const wildcard of ['0.0.0.0', '::']) {
      const plan = planLaunch(
        { DEVSTACK_S3_HOST: wildcard, HOST: '0.0.0.0', PUBLIC_URL: 'http://192.168.1.20:3000' },
        CWD,
      );
      assert.equal(plan.devstack?.s3Host, wildcard);
      assert.equal(plan.devstack?.s3PublicHost, '192.168.1.20');
    }
  });

  it('names a specific bind address itself, IPv6 in brackets', () => {
    const lan = planLaunch({ DEVSTACK_S3_HOST: '10.0.0.7' }, CWD);
    assert.equal(lan.devstack?.s3PublicHost, '10.0.0.7');
    const v6 = planLaunch({ DEVSTACK_S3_HOST: 'fd00::7' }, CWD);
    assert.equal(v6.devstack?.s3Host, 'fd00::7');
    assert.equal(v6.devstack?.s3PublicHost, '[fd00::7]');
  });

  it("leaves the operator's own S3_PUBLIC_ENDPOINT alone", () => {
    const plan = planLaunch(
      { DEVSTACK_S3_HOST: '0.0.0.0', S3_PUBLIC_ENDPOINT: 'https://files.example.test' },
      CWD,
    );
    assert.equal(plan.devstack?.s3PublicHost, undefined);
    assert.equal(plan.childEnv.S3_PUBLIC_ENDPOINT, 'https://files.example.test');
  });

  for (const bad of ['192.168.1.20:9000', 'http://0.0.0.0', '[::1]', 'bad_host', '-lan']) {
    it(`refuses DEVSTACK_S3_HOST="${bad}" before anything starts`, () => {
      assert.throws(
        () => planLaunch({ DEVSTACK_S3_HOST: bad }, CWD),
        (err: unknown) =>
          err instanceof LaunchError &&
          err.message.startsWith(
            'DEVSTACK_S3_HOST: must be an IP address (IPv6 without brackets) or a hostname',
          ) &&
          err.message.endsWith(`got "${bad}"`),
      );
    });
  }

  it('accepts a hostname', () => {
    assert.equal(
      planLaunch({ DEVSTACK_S3_HOST: 'dev-box.lan' }, CWD).devstack?.s3Host,
      'dev-box.lan',
    );
  });
});
