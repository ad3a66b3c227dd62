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
import { StorageRequestRejectedError } from '../src/errors/storage-errors.js';
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

const ADDED = { outcome: 'added', abortingSooner: [] };
const PRESENT = { outcome: 'present', abortingSooner: [] };

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

    const ensure = (ours = OURS) => storage.service.ensureAbortIncompleteUploadsRule(ours);

    beforeEach(async () => {
      await admin.send(new DeleteBucketLifecycleCommand({ Bucket: bucket() }));
    });

    it('on a bucket without rules, adds ours; a second call finds it present', async () => {
      assert.equal(await rules(), 'none');
      assert.deepEqual(await ensure(), ADDED);
      assert.deepEqual(await rules(), [OUR_RULE]);
      assert.deepEqual(await ensure(), PRESENT);
      assert.deepEqual(await rules(), [OUR_RULE]);
    });

    it('keeps every existing rule (expiration, transition, noncurrent, disabled, tags)', async () => {
      await putRules(EXISTING);
      assert.deepEqual(await ensure(), ADDED);
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
        assert.deepEqual(await ensure(), PRESENT, `prefix '${prefix}'`);
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
      // The narrower one aborts some of our uploads after a day: named, and kept.
      assert.deepEqual(await ensure({ ...OURS, days: 2 }), {
        outcome: 'added',
        abortingSooner: [{ id: 'narrower', days: 1 }],
      });
      assert.deepEqual(await rules(), [
        ...theirs,
        { ...OUR_RULE, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 } },
      ]);
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
          assert.deepEqual(await ensure(), PRESENT);
          assert.deepEqual(await rules(), before, JSON.stringify(mine));
        }
      }
    });

    it('names a rule of ours that aborts sooner than now asked (a longer window), and keeps it', async () => {
      // Put by a worker whose upload window was shorter.
      await putRules([EXISTING[0], OUR_RULE]);
      for (let start = 0; start < 2; start++) {
        assert.deepEqual(await ensure({ ...OURS, days: 3 }), {
          outcome: 'present',
          abortingSooner: [{ id: OURS.id, days: 1 }],
        });
        assert.deepEqual(await rules(), [EXISTING[0], OUR_RULE]);
      }
    });
  });
});

/** One S3 error answer, in S3's XML shape. */
const s3Error = (status: number, code: string) => ({
  status,
  body:
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code>` +
    `<Message>${code}</Message><RequestId>r</RequestId></Error>`,
});

/**
 * Storage that answers every request with `answer(method)`, recording each as METHOD:
 * what S3 clones without lifecycle support, or credentials without its permissions, get.
 * The SDK's own retries stay on (3 attempts), so a call storage is retried for shows up twice.
 */
function describeFakeStorage(
  title: string,
  answer: (method: string) => { status: number; body: string },
  body: (fake: { storage: () => Storage; requests: string[] }) => void,
): void {
  describe(title, () => {
    let server: Server;
    let storage: Storage;
    const requests: string[] = [];

    before(async () => {
      server = createServer((req, res) => {
        const method = req.method ?? '';
        requests.push(method);
        req.resume();
        const { status, body } = answer(method);
        res.writeHead(status, { 'content-type': 'application/xml' });
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
        credentials: { accessKeyId: 'key', secretAccessKey: 'secret' },
        forcePathStyle: true,
        connectTimeoutMs: 1000,
        requestTimeoutMs: 3000,
        maxAttempts: 3,
        breakerFailures: 2,
        breakerHalfOpenMs: 60_000,
      });
    });
    beforeEach(() => {
      requests.length = 0;
    });
    after(async () => {
      storage?.close();
      await new Promise<void>((resolve) => server?.close(() => resolve()));
    });

    body({ storage: () => storage, requests });
  });
}

describeFakeStorage(
  'ensureAbortIncompleteUploadsRule on storage without the lifecycle API',
  () => s3Error(501, 'NotImplemented'),
  (fake) => {
    it("answers 'unsupported', and 501s are neither retried nor open the circuit", async () => {
      for (let i = 0; i < 3; i++) {
        assert.deepEqual(await fake.storage().service.ensureAbortIncompleteUploadsRule(OURS), {
          outcome: 'unsupported',
        });
      }
      assert.deepEqual(fake.requests, ['GET', 'GET', 'GET']);
      assert.equal(fake.storage().policy.circuitState, 'closed');
    });
  },
);

describeFakeStorage(
  'ensureAbortIncompleteUploadsRule with credentials that may not read lifecycle rules',
  () => s3Error(403, 'AccessDenied'),
  (fake) => {
    it("answers 'forbidden' naming s3:GetLifecycleConfiguration; 403s are neither retried nor open the circuit", async () => {
      for (let i = 0; i < 3; i++) {
        assert.deepEqual(await fake.storage().service.ensureAbortIncompleteUploadsRule(OURS), {
          outcome: 'forbidden',
          permission: 's3:GetLifecycleConfiguration',
        });
      }
      assert.deepEqual(fake.requests, ['GET', 'GET', 'GET']);
      assert.equal(fake.storage().policy.circuitState, 'closed');
    });
  },
);

describeFakeStorage(
  'ensureAbortIncompleteUploadsRule with credentials that may read but not put lifecycle rules',
  (method) =>
    method === 'GET' ? s3Error(404, 'NoSuchLifecycleConfiguration') : s3Error(403, 'AccessDenied'),
  (fake) => {
    it("answers 'forbidden' naming s3:PutLifecycleConfiguration, the circuit still closed", async () => {
      for (let i = 0; i < 3; i++) {
        assert.deepEqual(await fake.storage().service.ensureAbortIncompleteUploadsRule(OURS), {
          outcome: 'forbidden',
          permission: 's3:PutLifecycleConfiguration',
        });
      }
      assert.deepEqual(fake.requests, ['GET', 'PUT', 'GET', 'PUT', 'GET', 'PUT']);
      assert.equal(fake.storage().policy.circuitState, 'closed');
    });
  },
);

describeFakeStorage(
  'ensureAbortIncompleteUploadsRule on storage that refuses the abort rule (MinIO: 400 MalformedXML)',
  (method) =>
    method === 'GET' ? s3Error(404, 'NoSuchLifecycleConfiguration') : s3Error(400, 'MalformedXML'),
  (fake) => {
    it("answers 'unsupported' naming the refusal, neither retried nor opening the circuit", async () => {
      for (let i = 0; i < 3; i++) {
        assert.deepEqual(await fake.storage().service.ensureAbortIncompleteUploadsRule(OURS), {
          outcome: 'unsupported',
          refusedWith: 'MalformedXML',
        });
      }
      assert.deepEqual(fake.requests, ['GET', 'PUT', 'GET', 'PUT', 'GET', 'PUT']);
      assert.equal(fake.storage().policy.circuitState, 'closed');
    });
  },
);

describeFakeStorage(
  'ensureAbortIncompleteUploadsRule refused with a 403 that is not about permissions',
  () => s3Error(403, 'SignatureDoesNotMatch'),
  (fake) => {
    it('throws (the caller tries again later) instead of reporting a missing permission', async () => {
      await assert.rejects(
        fake.storage().service.ensureAbortIncompleteUploadsRule(OURS),
        (err: unknown) =>
          err instanceof StorageRequestRejectedError &&
          err.httpStatus === 403 &&
          err.s3Code === 'SignatureDoesNotMatch',
      );
      assert.deepEqual(fake.requests, ['GET']);
      assert.equal(fake.storage().policy.circuitState, 'closed');
    });
  },
);
