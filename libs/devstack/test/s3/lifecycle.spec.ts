// Bucket lifecycle configuration as the worker manages it at startup: read the rules (none yet is
// NoSuchLifecycleConfiguration), put them back with an AbortIncompleteMultipartUpload rule added,
// with the checksum the SDK sends because S3 requires one. Configurations S3 refuses are refused.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import aws4 from 'aws4';
import {
  DeleteBucketLifecycleCommand,
  GetBucketLifecycleConfigurationCommand,
  PutBucketLifecycleConfigurationCommand,
  type LifecycleRule,
} from '@aws-sdk/client-s3';
import { failure, openTarget, productClient, sdkRejection, type Target } from './support.js';

const RULES: LifecycleRule[] = [
  {
    ID: 'expire-tmp',
    Filter: { Prefix: 'tmp/' },
    Status: 'Enabled',
    Expiration: { Days: 3 },
  },
  {
    ID: 'abort-uploads',
    Filter: { Prefix: '' },
    Status: 'Enabled',
    AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
  },
  {
    ID: 'archive-big-logs',
    Filter: { And: { Prefix: 'logs/', ObjectSizeGreaterThan: 1024 } },
    Status: 'Disabled',
    Transitions: [{ Days: 30, StorageClass: 'STANDARD_IA' }],
    NoncurrentVersionExpiration: { NoncurrentDays: 7 },
  },
  {
    ID: 'tagged-until',
    Filter: { Tag: { Key: 'kind', Value: 'scratch' } },
    Status: 'Enabled',
    Expiration: { Date: new Date('2099-01-01T00:00:00.000Z') },
  },
];

describe('bucket lifecycle configuration', () => {
  let target: Target;
  before(async () => {
    target = await openTarget('lifecycle');
  });
  after(() => target.close());

  const get = () =>
    target.client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: target.bucket }));
  const put = (Rules: LifecycleRule[]) =>
    target.client.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: target.bucket,
        LifecycleConfiguration: { Rules },
      }),
    );

  /** A request signed by hand (aws4), for bodies and headers the SDK would never send. */
  const signedPut = (body: string, headers: Record<string, string>) => {
    const u = new URL(target.endpoint);
    const signed = aws4.sign(
      {
        host: u.host,
        path: `/${target.bucket}?lifecycle=`,
        method: 'PUT',
        service: 's3',
        region: target.region,
        body,
        headers: { 'content-type': 'application/xml', ...headers },
      },
      target.credentials,
    );
    const sent = Object.fromEntries(
      Object.entries(signed.headers ?? {}).map(([k, v]) => [k, String(v)]),
    );
    return fetch(`${target.endpoint}${signed.path ?? ''}`, { method: 'PUT', headers: sent, body });
  };
  const ABORT_RULE_XML =
    '<LifecycleConfiguration><Rule><ID>r</ID><Filter><Prefix>p/</Prefix></Filter>' +
    '<Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>1' +
    '</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>';
  const md5 = (body: string) => createHash('md5').update(body).digest('base64');

  it('a bucket without one answers 404 NoSuchLifecycleConfiguration', async () => {
    assert.deepEqual(await sdkRejection(get()), {
      status: 404,
      code: 'NoSuchLifecycleConfiguration',
    });
  });

  it('takes the SDK put (its checksum header included) and returns every rule as put', async () => {
    // The product's client settings: checksums only where required, which this call is.
    const client = productClient(target.endpoint, target.region, target.credentials);
    const sent: Record<string, string>[] = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { headers?: Record<string, string> };
        sent.push({ ...request.headers });
        return next(args);
      },
      { step: 'finalizeRequest', name: 'captureHeaders' },
    );
    try {
      await client.send(
        new PutBucketLifecycleConfigurationCommand({
          Bucket: target.bucket,
          LifecycleConfiguration: { Rules: RULES },
        }),
      );
    } finally {
      client.destroy();
    }
    const integrity = Object.keys(sent[0] ?? {}).filter(
      (h) => h === 'content-md5' || /^x-amz-checksum-(?!algorithm|type|mode)/.test(h),
    );
    assert.equal(integrity.length, 1, `one integrity header sent: ${JSON.stringify(sent)}`);

    const out = await get();
    assert.deepEqual(out.Rules, RULES);
  });

  it('a put replaces the whole configuration; a delete removes it', async () => {
    await put([RULES[0]]);
    assert.deepEqual((await get()).Rules, [RULES[0]]);
    await target.client.send(new DeleteBucketLifecycleCommand({ Bucket: target.bucket }));
    assert.equal((await sdkRejection(get())).code, 'NoSuchLifecycleConfiguration');
  });

  it('refuses a body without Content-MD5 or checksum (400 InvalidRequest)', async () => {
    const res = await signedPut(ABORT_RULE_XML, {});
    assert.deepEqual(await failure(res), { status: 400, code: 'InvalidRequest' });
  });

  it('refuses a body that does not match its Content-MD5 (400 BadDigest)', async () => {
    const res = await signedPut(ABORT_RULE_XML, { 'content-md5': md5('another body') });
    assert.deepEqual(await failure(res), { status: 400, code: 'BadDigest' });
  });

  it('accepts a hand-written configuration with a matching Content-MD5', async () => {
    const res = await signedPut(ABORT_RULE_XML, { 'content-md5': md5(ABORT_RULE_XML) });
    assert.equal(res.status, 200, await res.text());
    const rules = (await get()).Rules ?? [];
    assert.deepEqual(rules, [
      {
        ID: 'r',
        Filter: { Prefix: 'p/' },
        Status: 'Enabled',
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
      },
    ]);
  });

  const refusals: [string, LifecycleRule[], { status: number; code: string }][] = [
    [
      'a rule without any action',
      [{ ID: 'idle', Filter: { Prefix: 'x/' }, Status: 'Enabled' }],
      { status: 400, code: 'InvalidRequest' },
    ],
    [
      'two rules with one ID',
      [
        { ID: 'same', Filter: { Prefix: 'a/' }, Status: 'Enabled', Expiration: { Days: 1 } },
        { ID: 'same', Filter: { Prefix: 'b/' }, Status: 'Enabled', Expiration: { Days: 2 } },
      ],
      { status: 400, code: 'InvalidArgument' },
    ],
    [
      'an expiration after 0 days',
      [{ ID: 'zero', Filter: { Prefix: 'a/' }, Status: 'Enabled', Expiration: { Days: 0 } }],
      { status: 400, code: 'InvalidArgument' },
    ],
    [
      'an AbortIncompleteMultipartUpload with a tag filter',
      [
        {
          ID: 'tagged-abort',
          Filter: { Tag: { Key: 'k', Value: 'v' } },
          Status: 'Enabled',
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        },
      ],
      { status: 400, code: 'InvalidRequest' },
    ],
    ['no rule at all', [], { status: 400, code: 'MalformedXML' }],
  ];
  for (const [what, rules, expected] of refusals) {
    it(`refuses ${what} (${String(expected.status)} ${expected.code}) and keeps the old rules`, async () => {
      await put([RULES[1]]);
      assert.deepEqual(await sdkRejection(put(rules)), expected);
      assert.deepEqual((await get()).Rules, [RULES[1]]);
    });
  }
});
