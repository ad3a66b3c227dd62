import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Test, type TestingModule } from '@nestjs/testing';
import { ConfigModule, loadConfig } from '@app/config';
import { startTestBackends, type TestBackends } from '../../../test/support/backends.js';
import { StorageHealthIndicator } from '../src/health/storage-health.indicator.js';
import { PRESIGNER, type Presigner } from '../src/presign/presigner.js';
import { StoragePolicy } from '../src/resilience/storage-policy.js';
import { StorageModule } from '../src/storage.module.js';
import { StorageService } from '../src/storage.service.js';

describe('StorageModule.forRoot() wires storage from APP_CONFIG', () => {
  let backends: TestBackends;
  let moduleRef: TestingModule;

  before(async () => {
    backends = await startTestBackends();
    const config = loadConfig({
      NODE_ENV: 'test',
      MONGODB_URI: `${backends.mongoUri}/unused`,
      S3_ENDPOINT: backends.s3.endpoint,
      S3_PUBLIC_ENDPOINT: 'https://files.example.com',
      S3_REGION: backends.s3.region,
      S3_BUCKET: backends.s3.bucket,
      S3_ACCESS_KEY_ID: backends.s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: backends.s3.secretAccessKey,
    });
    moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(config), StorageModule.forRoot()],
    }).compile();
    await moduleRef.init();
  });
  after(async () => {
    await moduleRef?.close();
    await backends?.stop();
  });

  it('provides the service, policy and health indicator, talking to S3_ENDPOINT', async () => {
    const service = moduleRef.get(StorageService);
    assert.equal(service.bucket, backends.s3.bucket);
    assert.equal(moduleRef.get(StoragePolicy).circuitState, 'closed');
    assert.equal(await service.headObject('missing'), null);
    const result = await moduleRef.get(StorageHealthIndicator).isHealthy();
    assert.equal(result.storage.status, 'up');
  });

  it('signs URLs for S3_PUBLIC_ENDPOINT, not the internal endpoint', () => {
    const presigner = moduleRef.get<Presigner>(PRESIGNER);
    const { url } = presigner.presignGet({ key: 'files/a', expiresInSeconds: 60 });
    assert.ok(url.startsWith(`https://files.example.com/${backends.s3.bucket}/files/a?`), url);
  });
});
