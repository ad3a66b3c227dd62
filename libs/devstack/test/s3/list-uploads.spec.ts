// ListMultipartUploads as the worker's reconciliation walks it: every upload under a prefix,
// page by page through KeyMarker / UploadIdMarker, none skipped or listed twice, each with the
// time it was initiated.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  type ListMultipartUploadsCommandInput,
} from '@aws-sdk/client-s3';
import { openTarget, sdkRejection, type Target } from './support.js';

interface Created {
  key: string;
  uploadId: string;
}

describe('ListMultipartUploads', () => {
  let target: Target;
  const created: Created[] = [];
  const prefix = 'mpu-list/';

  before(async () => {
    target = await openTarget('uploads');
    // Several uploads of one key, created one after another: their order is initiation order.
    for (const name of ['a', 'a', 'a', 'b', 'c/d', 'c/d']) {
      const key = `${prefix}${name}`;
      const out = await target.client.send(
        new CreateMultipartUploadCommand({ Bucket: target.bucket, Key: key }),
      );
      assert.ok(out.UploadId);
      created.push({ key, uploadId: out.UploadId });
    }
    // An upload outside the prefix, which no listing below may show.
    const other = await target.client.send(
      new CreateMultipartUploadCommand({ Bucket: target.bucket, Key: 'elsewhere/x' }),
    );
    assert.ok(other.UploadId);
    created.push({ key: 'elsewhere/x', uploadId: other.UploadId });
  });
  after(async () => {
    for (const u of created) {
      await target.client.send(
        new AbortMultipartUploadCommand({
          Bucket: target.bucket,
          Key: u.key,
          UploadId: u.uploadId,
        }),
      );
    }
    await target.close();
  });

  const list = (input: Omit<ListMultipartUploadsCommandInput, 'Bucket'>) =>
    target.client.send(new ListMultipartUploadsCommand({ Bucket: target.bucket, ...input }));
  const pairs = (uploads: { Key?: string; UploadId?: string }[] | undefined) =>
    (uploads ?? []).map((u) => ({ key: u.Key, uploadId: u.UploadId }));
  const underPrefix = () => created.filter((u) => u.key.startsWith(prefix));

  it('lists the uploads under a prefix by key, then by initiation, each dated', async () => {
    const out = await list({ Prefix: prefix });
    assert.deepEqual(pairs(out.Uploads), underPrefix());
    assert.equal(out.IsTruncated, false);
    for (const u of out.Uploads ?? []) {
      assert.ok(u.Initiated instanceof Date);
      assert.ok(Math.abs(u.Initiated.getTime() - Date.now()) < 5 * 60_000, 'Initiated is now');
    }
  });

  it('pages with MaxUploads through NextKeyMarker and NextUploadIdMarker, none lost', async () => {
    const seen: Created[] = [];
    let markers: { KeyMarker?: string; UploadIdMarker?: string } = {};
    for (let page = 0; page < 10; page++) {
      const out = await list({ Prefix: prefix, MaxUploads: 2, ...markers });
      const listed = pairs(out.Uploads);
      assert.ok(listed.length <= 2);
      seen.push(...(listed as Created[]));
      if (out.IsTruncated !== true) break;
      const last = listed.at(-1);
      // The next markers name the last upload of the page.
      assert.deepEqual(
        { key: out.NextKeyMarker, uploadId: out.NextUploadIdMarker },
        { key: last?.key, uploadId: last?.uploadId },
      );
      markers = { KeyMarker: out.NextKeyMarker, UploadIdMarker: out.NextUploadIdMarker };
    }
    assert.deepEqual(seen, underPrefix());
  });

  it('one upload per page walks every upload of a key in turn', async () => {
    const seen: Created[] = [];
    let markers: { KeyMarker?: string; UploadIdMarker?: string } = {};
    for (let page = 0; page < 10; page++) {
      const out = await list({ Prefix: `${prefix}a`, MaxUploads: 1, ...markers });
      seen.push(...(pairs(out.Uploads) as Created[]));
      if (out.IsTruncated !== true) break;
      markers = { KeyMarker: out.NextKeyMarker, UploadIdMarker: out.NextUploadIdMarker };
    }
    assert.deepEqual(seen, underPrefix().slice(0, 3));
  });

  it('a KeyMarker alone starts after every upload of that key', async () => {
    const out = await list({ Prefix: prefix, KeyMarker: `${prefix}a` });
    assert.deepEqual(pairs(out.Uploads), underPrefix().slice(3));
  });

  it('a KeyMarker with an UploadIdMarker resumes after that upload of the key', async () => {
    const first = underPrefix()[0];
    const out = await list({
      Prefix: prefix,
      KeyMarker: first.key,
      UploadIdMarker: first.uploadId,
    });
    assert.deepEqual(pairs(out.Uploads), underPrefix().slice(1));
  });

  it('groups keys under a Delimiter into CommonPrefixes', async () => {
    const out = await list({ Prefix: prefix, Delimiter: '/' });
    assert.deepEqual(pairs(out.Uploads), underPrefix().slice(0, 4));
    assert.deepEqual(
      (out.CommonPrefixes ?? []).map((p) => p.Prefix),
      [`${prefix}c/`],
    );
  });

  it('refuses a MaxUploads that is not an integer with InvalidArgument', async () => {
    // The SDK writes a NaN into the query as it is: `max-uploads=NaN`.
    const err = await sdkRejection(list({ MaxUploads: Number.NaN }));
    assert.deepEqual(err, { status: 400, code: 'InvalidArgument' });
  });
});
