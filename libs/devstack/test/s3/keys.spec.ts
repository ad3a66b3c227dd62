// Keys are opaque strings in S3: dot segments, doubled or trailing slashes and percent signs are
// part of the name, never path operations; listings are in UTF-8 byte order. A devstack that
// stores objects on disk must neither normalise names nor let one escape its data directory.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type PutObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { openTarget, sdkRejection, usingRealS3, type Target } from './support.js';

describe('object keys', () => {
  let target: Target;
  before(async () => {
    target = await openTarget('keys');
  });
  after(() => target.close());

  const put = (key: string, body: string): Promise<PutObjectCommandOutput> =>
    target.client.send(new PutObjectCommand({ Bucket: target.bucket, Key: key, Body: body }));
  const read = async (key: string): Promise<string | undefined> => {
    const out = await target.client.send(new GetObjectCommand({ Bucket: target.bucket, Key: key }));
    return out.Body?.transformToString();
  };
  const list = async (prefix: string): Promise<string[]> => {
    const out = await target.client.send(
      new ListObjectsV2Command({ Bucket: target.bucket, Prefix: prefix }),
    );
    return (out.Contents ?? []).map((o) => o.Key ?? '');
  };

  it('stores names with dot segments, slashes and escapes literally', async () => {
    const escapee = `escape-${randomBytes(6).toString('hex')}.txt`;
    const keys = [
      'opaque/a/./b',
      'opaque/a//b',
      'opaque/a/',
      'opaque/..',
      `opaque/../../../../${escapee}`,
      'opaque/%2e%2e/x',
      'opaque/q?x=1#h',
    ];
    for (const key of keys) await put(key, `body of ${key}`);
    assert.deepEqual(await list('opaque/'), [...keys].sort());
    for (const key of keys) assert.equal(await read(key), `body of ${key}`, key);
    if (!usingRealS3) {
      // Nothing landed next to the devstack's temporary data directory.
      assert.ok(!(await readdir(tmpdir())).includes(escapee), 'no file escaped the data dir');
    }
  });

  it('lists in UTF-8 byte order, not UTF-16 order', async () => {
    // U+FF5E sorts before U+1F600 in UTF-8 (EF.. < F0..) but after it in UTF-16 (FF5E > D83D).
    const keys = ['order/Z', 'order/a', 'order/é', 'order/中', 'order/～', 'order/😀'];
    for (const key of [...keys].reverse()) await put(key, 'x');
    assert.deepEqual(await list('order/'), keys);
  });

  it('accepts a 1024-byte key and refuses a longer one with KeyTooLongError', async () => {
    const longest = `long/${'k'.repeat(1024 - 'long/'.length)}`;
    await put(longest, 'x');
    assert.equal(await read(longest), 'x');
    const err = await sdkRejection(put(`${longest}k`, 'x'));
    assert.deepEqual(err, { status: 400, code: 'KeyTooLongError' });
  });
});
