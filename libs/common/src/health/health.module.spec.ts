import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Global, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import { HealthModule } from './health.module.js';
import { READINESS_TIMEOUT_MS } from './readiness.js';

@Injectable()
class UpIndicator {
  isHealthy(key: string): Promise<HealthIndicatorResult> {
    return Promise.resolve({ [key]: { status: 'up' } });
  }
}

// A dependency that accepts the check and never answers (a hung socket).
@Injectable()
class HungIndicator {
  isHealthy(): Promise<HealthIndicatorResult> {
    return new Promise(() => undefined);
  }
}

@Global()
@Module({ providers: [UpIndicator, HungIndicator], exports: [UpIndicator, HungIndicator] })
class IndicatorsModule {}

describe('HealthModule', () => {
  let app: NestFastifyApplication;

  before(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        IndicatorsModule,
        HealthModule.forRoot([
          { key: 'mongo', indicator: UpIndicator },
          { key: 'storage', indicator: HungIndicator },
        ]),
      ],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), {
      logger: false,
    });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  after(async () => {
    await app.close();
  });

  it('live answers 200 without asking any dependency', async () => {
    const res = await app.inject({ method: 'GET', url: '/health/live' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json<{ status: string }>().status, 'ok');
  });

  it('live answers as Terminus did: its empty check, never cached, to GET and HEAD', async () => {
    const res = await app.inject({ method: 'GET', url: '/health/live' });
    assert.deepEqual(res.json(), { status: 'ok', info: {}, error: {}, details: {} });
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(res.headers['cache-control'], 'no-cache, no-store, must-revalidate');
    const head = await app.inject({ method: 'HEAD', url: '/health/live' });
    assert.equal(head.statusCode, 200);
    assert.equal(head.body, '');
    const post = await app.inject({ method: 'POST', url: '/health/live' });
    assert.equal(post.statusCode, 404);
  });

  it('ready answers 503 within its bound when a dependency hangs, naming it', async () => {
    const started = Date.now();
    const res = await app.inject({ method: 'GET', url: '/health/ready' });
    const elapsed = Date.now() - started;
    assert.equal(res.statusCode, 503);
    assert.ok(elapsed < READINESS_TIMEOUT_MS + 1000, `answered in ${String(elapsed)} ms`);
    const body = res.json<{ status: string; details: Record<string, { status: string }> }>();
    assert.equal(body.status, 'error');
    assert.equal(body.details.mongo?.status, 'up');
    assert.equal(body.details.storage?.status, 'down');
    assert.match(String(res.headers['retry-after']), /^\d+$/);
  });
});
