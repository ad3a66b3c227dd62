import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '@app/config';
import { reachableHost, renderBanner } from './banner.js';

const config = loadConfig({
  PORT: '3100',
  WORKER_PORT: '3101',
  MONGODB_URI: 'mongodb://x:1/db',
  S3_ENDPOINT: 'http://127.0.0.1:9000',
  S3_ACCESS_KEY_ID: 'k',
  S3_SECRET_ACCESS_KEY: 'top-secret',
});

describe('startup banner', () => {
  it('shows every address an operator needs', () => {
    const text = renderBanner({
      config,
      mongoUri: 'mongodb://127.0.0.1:27018/sharexpress',
      s3Endpoint: 'http://127.0.0.1:9000',
      embedded: true,
      dataDir: '/tmp/data',
      notes: [],
    });
    for (const expected of [
      'http://localhost:3100/docs',
      'http://localhost:3100/health/ready',
      'http://localhost:3101/health/ready',
      'mongodb://127.0.0.1:27018/sharexpress',
      'http://127.0.0.1:9000 (bucket sharexpress',
      'development only, never production',
    ]) {
      assert.ok(text.includes(expected), `banner lacks ${expected}:\n${text}`);
    }
    assert.ok(!text.includes('top-secret'));
  });

  it('points at OPS_PORT for metrics and docs when it is set, and leaves out docs turned off', () => {
    const input = {
      mongoUri: 'mongodb://127.0.0.1:27018/sharexpress',
      s3Endpoint: 'http://127.0.0.1:9000',
      embedded: true,
      dataDir: '/tmp/data',
      notes: [],
    };
    const onOps = renderBanner({ ...input, config: { ...config, opsPort: 9464 } });
    assert.ok(onOps.includes('http://localhost:9464/metrics'), onOps);
    assert.ok(onOps.includes('http://localhost:9464/docs'), onOps);
    assert.ok(!onOps.includes('http://localhost:3100/metrics'), onOps);
    assert.ok(onOps.includes('http://localhost:3100/health/ready'), onOps);
    const noDocs = renderBanner({ ...input, config: { ...config, docsEnabled: false } });
    assert.ok(!noDocs.includes('/docs'), noDocs);
  });

  it('never prints credentials embedded in a MongoDB URI', () => {
    const text = renderBanner({
      config,
      mongoUri: 'mongodb://admin:hunter2@db.internal:27017/sharexpress',
      s3Endpoint: 'https://s3.example.com',
      embedded: false,
      dataDir: '/tmp/data',
      notes: [],
    });
    assert.ok(!text.includes('hunter2'));
    assert.ok(text.includes('mongodb://***@db.internal:27017/sharexpress'));
  });

  describe('devstack S3 bind address', () => {
    const embedded = {
      config,
      mongoUri: 'mongodb://127.0.0.1:27018/sharexpress',
      embedded: true,
      dataDir: '/tmp/data',
      notes: [],
    };
    const warnings = (text: string): string[] =>
      text.split('\n').filter((line) => line.includes('warning:'));

    it('says where S3 listens and warns of nothing on loopback', () => {
      const text = renderBanner({
        ...embedded,
        s3Endpoint: 'http://127.0.0.1:9000',
        s3PublicEndpoint: 'http://127.0.0.1:9000',
        s3Bind: { host: '127.0.0.1', port: 9000 },
      });
      assert.match(text, /S3 listens on\s+127\.0\.0\.1:9000/);
      assert.ok(!text.includes('S3 for browsers'), text);
      assert.deepEqual(warnings(text), []);
    });

    it('warns in one line when S3 is reachable from the network, and shows the URL phones use', () => {
      const text = renderBanner({
        ...embedded,
        s3Endpoint: 'http://127.0.0.1:9000',
        s3PublicEndpoint: 'http://192.168.1.20:9000',
        s3Bind: { host: '0.0.0.0', port: 9000 },
      });
      assert.match(text, /S3 for browsers\s+http:\/\/192\.168\.1\.20:9000/);
      assert.match(text, /S3 listens on\s+0\.0\.0\.0:9000/);
      const [warning, ...more] = warnings(text);
      assert.deepEqual(more, []);
      assert.match(warning ?? '', /devstack S3 listens on 0\.0\.0\.0, reachable from the network/);
      assert.match(warning ?? '', /development double/);
    });

    it('treats every loopback address as local and any other as exposed', () => {
      const warns = (host: string): boolean =>
        warnings(renderBanner({ ...embedded, s3Endpoint: 'x', s3Bind: { host, port: 9000 } }))
          .length === 1;
      for (const local of ['127.0.0.2', '::1', 'localhost']) assert.equal(warns(local), false);
      for (const exposed of ['::', '192.168.1.20', 'dev-box.lan'])
        assert.equal(warns(exposed), true);
    });
  });

  it('maps wildcard bind addresses to one a local client can reach', () => {
    assert.equal(reachableHost('0.0.0.0'), '127.0.0.1');
    assert.equal(reachableHost('::'), '127.0.0.1');
    assert.equal(reachableHost('::1'), '[::1]');
    assert.equal(reachableHost('10.1.2.3'), '10.1.2.3');
  });
});
