import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ORPHAN_GRACE_SAFE_SECONDS, orphanGraceWarning } from './config-warnings.js';
import { loadConfig } from './load-config.js';

const REQUIRED = {
  MONGODB_URI: 'mongodb://127.0.0.1:27017/sx',
  S3_ENDPOINT: 'http://127.0.0.1:9000',
  S3_ACCESS_KEY_ID: 'AKIAEXAMPLE',
  S3_SECRET_ACCESS_KEY: 'super-secret-value',
};

const warningFor = (env: Record<string, string>) =>
  orphanGraceWarning(loadConfig({ ...REQUIRED, ...env }));

describe('orphanGraceWarning', () => {
  it('is silent with the default grace and from the safe floor up', () => {
    assert.equal(warningFor({ NODE_ENV: 'production' }), undefined);
    assert.equal(
      warningFor({
        NODE_ENV: 'production',
        ORPHAN_GRACE_SECONDS: String(ORPHAN_GRACE_SAFE_SECONDS),
      }),
      undefined,
    );
  });

  it('warns below the floor outside tests, naming the setting, its value and the floor', () => {
    for (const nodeEnv of ['production', 'development']) {
      for (const grace of ['1', String(ORPHAN_GRACE_SAFE_SECONDS - 1)]) {
        const warning = warningFor({ NODE_ENV: nodeEnv, ORPHAN_GRACE_SECONDS: grace });
        assert.ok(warning !== undefined, `${nodeEnv} ${grace}`);
        assert.match(warning, new RegExp(`^ORPHAN_GRACE_SECONDS=${grace} is under 300: `));
        assert.match(warning, /multipart upload of a declare/);
        assert.match(warning, /use at least 300/);
      }
    }
  });

  it('accepts one second and stays silent under NODE_ENV=test, whose short graces are meant', () => {
    const config = loadConfig({ ...REQUIRED, NODE_ENV: 'test', ORPHAN_GRACE_SECONDS: '1' });
    assert.equal(config.jobs.orphanGraceSeconds, 1);
    assert.equal(orphanGraceWarning(config), undefined);
  });
});
