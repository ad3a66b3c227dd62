import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetBucketCorsCommand, S3Client } from '@aws-sdk/client-s3';
import { storageCorsRules } from '@app/storage';
import { startS3Server } from '../s3/index.js';
import { ensureBucket, type BucketTarget } from './bucket-setup.js';

describe('embedded bucket setup', () => {
  let s3: Awaited<ReturnType<typeof startS3Server>>;
  let target: BucketTarget;
  before(async () => {
    s3 = await startS3Server({ port: 0 });
    target = {
      endpoint: s3.endpoint,
      region: s3.region,
      bucket: 'sharexpress',
      credentials: s3.credentials,
    };
  });
  after(() => s3?.stop());

  it('creates the bucket once and applies the product CORS rules for each origin', async () => {
    const origins = ['http://localhost:3000', 'http://localhost:3000', 'https://a.example'];
    await ensureBucket(target, origins);
    await ensureBucket(target, origins);
    const client = new S3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      credentials: s3.credentials,
      forcePathStyle: true,
    });
    try {
      const out = await client.send(new GetBucketCorsCommand({ Bucket: 'sharexpress' }));
      const [expected] = storageCorsRules(origins);
      assert.deepEqual(out.CORSRules?.length, 1);
      const [rule] = out.CORSRules ?? [];
      assert.deepEqual(rule?.AllowedOrigins, ['http://localhost:3000', 'https://a.example']);
      assert.deepEqual(rule?.AllowedMethods, expected?.AllowedMethods);
      assert.deepEqual(rule?.AllowedHeaders, expected?.AllowedHeaders);
      assert.deepEqual(rule?.ExposeHeaders, expected?.ExposeHeaders);
      assert.equal(rule?.MaxAgeSeconds, expected?.MaxAgeSeconds);
    } finally {
      client.destroy();
    }
  });
});
