// What the worker's lifecycle jobs need from storage, against a real S3 API (devstack or
// S3_ENDPOINT): every multipart upload in progress, page by page, and the bucket rule that
// aborts incomplete uploads, added without losing the rules the bucket already has.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  DeleteBucketLifecycleCommand,
  GetBucketLifecycleConfigurationCommand,
  PutBucketLifecycleConfigurationCommand,
  type LifecycleRule,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  randomSuffix,
  startTestBackends,
  type TestBackends,
} from '../../../test/support/backends.js';
import { testS3Client } from '../../../test/support/s3-client.js';
import { createStorage, type Storage } from '../src/storage.factory.js';
import type { ListedUpload } from '../src/storage.types.js';
import { s3SettingsFor } from './storage-fixtures.js';

const OURS = { id: 'abort-incomplete-uploads', prefix: 'sessions/', days: 1 };
const OUR_RULE: LifecycleRule = {
  ID: OURS.id,
  Filter: { Prefix: OURS.prefix },
  Status: 'Enabled',
  AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
};

// Rules an operator may already have on the bucket, of every kind ours must carry over.
const EXISTING: LifecycleRule[] = [
  { ID: 'expire-tmp', Filter: { Prefix: 'tmp/' }, Status: 'Enabled', Expiration: { Days: 7 } },
  {
    ID: 'archive-logs',
    Filter: { And: { Prefix: 'logs/', ObjectSizeGreaterThan: 1024 } },
    Status: 'Disabled',
    Transitions: [{ Days: 30, StorageClass: 'STANDARD_IA' }],
    NoncurrentVersionExpiration: { NoncurrentDays: 7 },
  },
  {
    ID: 'scratch-until',
    Filter: { Tag: { Key: 'kind', Value: 'scratch' } },
    Status: 'Enabled',
    Expiration: { Date: new Date('2099-01-01T00:00:00.000Z') },
  },
];

describe('StorageService lifecycle support against S3', () => {
  let backends: TestBackends;
  let storage: Storage;
  let admin: S3Client;

  before(async () => {
    backends = await startTestBackends();
    storage = createStorage(s3SettingsFor(backends));
    const { endpoint, region, accessKeyId, secretAccessKey } = backends.s3;
    admin = testS3Client({ endpoint, region, credentials: { accessKeyId, secretAccessKey } });
  });
  after(async () => {
    admin?.destroy();
    storage?.close();
    await backends?.stop();
  });

  describe('listMultipartUploads', () => {
    it('pages through every upload under a prefix, by key then initiation, none twice', async () => {
      const prefix = `mpu-${randomSuffix()}/`;
      const created: { key: string; uploadId: string }[] = [];
      for (const name of ['a', 'b', 'b', 'c', 'd/e']) {
        const key = `${prefix}${name}`;
        const { uploadId } = await storage.service.createMultipartUpload({
          key,
          contentType: 'application/octet-stream',
        });
        created.push({ key, uploadId });
      }
      const outsideKey = `other-${randomSuffix()}`;
      const outside = await storage.service.createMultipartUpload({
        key: outsideKey,
        contentType: 'application/octet-stream',
      });

      const seen: ListedUpload[] = [];
      let next: { keyMarker: string; uploadIdMarker: string } | undefined;
      let pages = 0;
      do {
        const page = await storage.service.listMultipartUploads({ prefix, next, maxUploads: 2 });
        assert.ok(page.uploads.length <= 2);
        seen.push(...page.uploads);
        next = page.next;
        pages++;
      } while (next !== undefined && pages < 10);
      assert.equal(pages, 3);
      assert.deepEqual(
        seen.map((u) => ({ key: u.key, uploadId: u.uploadId })),
        created,
      );
      for (const u of seen) {
        assert.ok(Math.abs(u.initiated.getTime() - Date.now()) < 5 * 60_000, 'initiated is now');
      }

      // An aborted upload is no longer listed; the last page has no `next`.
      await storage.service.abortMultipartUpload(created[0].key, created[0].uploadId);
      const rest = await storage.service.listMultipartUploads({ prefix });
      assert.deepEqual(
        rest.uploads.map((u) => u.uploadId),
        created.slice(1).map((u) => u.uploadId),
      );
      assert.equal(rest.next, undefined);
      for (const u of [...created.slice(1), { key: outsideKey, uploadId: outside.uploadId }]) {
        await storage.service.abortMultipartUpload(u.key, u.uploadId);
      }
    });
  });

  describe('ensureAbortIncompleteUploadsRule', () => {
    const bucket = () => backends.s3.bucket;
    const rules = async (): Promise<LifecycleRule[] | 'none'> => {
      try {
        const out = await admin.send(
          new GetBucketLifecycleConfigurationCommand({ Bucket: bucket() }),
        );
        return out.Rules ?? [];
      } catch (err) {
        if ((err as { name?: string }).name === 'NoSuchLifecycleConfiguration') return 'none';
        throw err;
      }
    };
    const putRules = (Rules: LifecycleRule[]) =>
      admin.send(
        new PutBucketLifecycleConfigurationCommand({
          Bucket: bucket(),
          LifecycleConfiguration: { Rules },
        }),
      );

    beforeEach(async () => {
      await admin.send(new DeleteBucketLifecycleCommand({ Bucket: bucket() }));
    });

    it('on a bucket without rules, adds ours; a second call finds it present', async () => {
      assert.equal(await rules(), 'none');
      assert.equal(await storage.service.ensureAbortIncompleteUploadsRule(OURS), 'added');
      assert.deepEqual(await rules(), [OUR_RULE]);
      assert.equal(await storage.service.ensureAbortIncompleteUploadsRule(OURS), 'present');
      assert.deepEqual(await rules(), [OUR_RULE]);
    });

    it('keeps every existing rule (expiration, transition, noncurrent, disabled, tags)', async () => {
      await putRules(EXISTING);
      assert.equal(await storage.service.ensureAbortIncompleteUploadsRule(OURS), 'added');
      assert.deepEqual(await rules(), [...EXISTING, OUR_RULE]);
    });

    it('an enabled abort rule for the whole bucket or a wider prefix is enough', async () => {
      for (const prefix of ['', 'sess', OURS.prefix]) {
        const theirs: LifecycleRule = {
          ID: 'theirs',
          Filter: { Prefix: prefix },
          Status: 'Enabled',
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
        };
        await putRules([EXISTING[0], theirs]);
        assert.equal(
          await storage.service.ensureAbortIncompleteUploadsRule(OURS),
          'present',
          `prefix '${prefix}'`,
        );
        assert.deepEqual(await rules(), [EXISTING[0], theirs]);
      }
    });

    it('adds ours next to an abort rule that is disabled, narrower, elsewhere or size-bound', async () => {
      const theirs: LifecycleRule[] = [
        {
          ID: 'disabled',
          Filter: { Prefix: '' },
          Status: 'Disabled',
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        },
        {
          ID: 'narrower',
          Filter: { Prefix: `${OURS.prefix}a/` },
          Status: 'Enabled',
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        },
        {
          ID: 'elsewhere',
          Filter: { Prefix: 'uploads/' },
          Status: 'Enabled',
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        },
        {
          ID: 'expire-only',
          Filter: { Prefix: '' },
          Status: 'Enabled',
          Expiration: { Days: 365 },
        },
      ];
      await putRules(theirs);
      assert.equal(await storage.service.ensureAbortIncompleteUploadsRule(OURS), 'added');
      assert.deepEqual(await rules(), [...theirs, OUR_RULE]);
    });

    it('leaves a rule of ours that an operator disabled or changed exactly as it is', async () => {
      const disabled: LifecycleRule = { ...OUR_RULE, Status: 'Disabled' };
      const changed: LifecycleRule = {
        ...OUR_RULE,
        Filter: { Prefix: 'sessions/old/' },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 30 },
      };
      for (const mine of [disabled, changed]) {
        const before = [EXISTING[0], mine, EXISTING[2]];
        await putRules(before);
        // Every worker start calls it again: none of them may undo the operator's choice.
        for (let start = 0; start < 2; start++) {
          assert.equal(await storage.service.ensureAbortIncompleteUploadsRule(OURS), 'present');
          assert.deepEqual(await rules(), before, JSON.stringify(mine));
        }
      }
    });
  });
});

describe('ensureAbortIncompleteUploadsRule on storage without the lifecycle API', () => {
  let server: Server;
  let storage: Storage;
  let requests = 0;

  before(async () => {
    // Answers as S3 clones without lifecycle support do: 501 NotImplemented, S3's error shape.
    server = createServer((req, res) => {
      requests++;
      req.resume();
      const body =
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NotImplemented</Code>' +
        '<Message>A header or query you provided implies functionality that is not implemented.' +
        '</Message><RequestId>r</RequestId></Error>';
      res.writeHead(501, { 'content-type': 'application/xml' });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const endpoint = `http://127.0.0.1:${String(port)}`;
    storage = createStorage({
      endpoint,
      publicEndpoint: endpoint,
      region: 'us-east-1',
      bucket: 'no-lifecycle',
      accessKeyId: 'key',
      secretAccessKey: 'secret',
      forcePathStyle: true,
      connectTimeoutMs: 1000,
      requestTimeoutMs: 3000,
      maxAttempts: 1,
      breakerFailures: 2,
      breakerHalfOpenMs: 60_000,
    });
  });
  after(async () => {
    storage?.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  it("answers 'unsupported', and 501s never open the circuit", async () => {
    for (let i = 0; i < 3; i++) {
      assert.equal(await storage.service.ensureAbortIncompleteUploadsRule(OURS), 'unsupported');
    }
    assert.equal(requests, 3);
    assert.equal(storage.policy.circuitState, 'closed');
  });
});
