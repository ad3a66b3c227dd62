import { Logger } from '@nestjs/common';
import type { AppConfig } from '@app/config';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it, mock } from 'node:test';
import { WebClient } from './web-client.service.js';

const config = (s3: Partial<AppConfig['s3']>): AppConfig =>
  ({
    s3: { publicEndpoint: 'http://127.0.0.1:9000', bucket: 'sx', forcePathStyle: true, ...s3 },
  }) as AppConfig;

describe('WebClient', () => {
  afterEach(() => mock.restoreAll());

  it('lets the page connect to this origin and to the storage origin of presigned URLs', () => {
    const aws = new WebClient(
      config({ publicEndpoint: 'https://s3.eu-west-3.amazonaws.com', forcePathStyle: false }),
      '/nowhere/',
    );
    assert.match(
      aws.contentSecurityPolicy,
      /(^|; )connect-src 'self' https:\/\/sx\.s3\.eu-west-3\.amazonaws\.com(;|$)/,
    );
    assert.match(aws.contentSecurityPolicy, /^default-src 'none'; script-src 'self'; /);
  });

  it('warns at startup, with how to build, when there is no build; and finds one made later', async () => {
    const dir = `${await mkdtemp(join(tmpdir(), 'sx-web-client-'))}/`;
    const warn = mock.method(Logger.prototype, 'warn', () => undefined);
    mock.method(Logger.prototype, 'log', () => undefined);
    const now = mock.method(Date, 'now', () => 1_000_000);
    try {
      const web = new WebClient(config({}), dir);
      await web.onModuleInit();
      assert.equal(warn.mock.callCount(), 1);
      assert.match(String(warn.mock.calls[0]?.arguments[0]), /not built.*npm run build:web/);
      assert.equal(await web.current(), null);

      await writeFile(join(dir, 'index.html'), '<!doctype html>');
      assert.equal(await web.current(), null, 'looked again too soon');
      now.mock.mockImplementation(() => 1_005_000);
      assert.ok((await web.current()) !== null, 'picked up 5 s later');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
