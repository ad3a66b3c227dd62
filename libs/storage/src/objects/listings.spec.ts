import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toUploadListing } from './listings.js';

describe('toUploadListing', () => {
  const initiated = new Date('2026-01-02T03:04:05.000Z');

  it('maps uploads; a truncated page carries the next markers, the last page none', () => {
    const page = toUploadListing({
      Uploads: [{ Key: 'k', UploadId: 'u1', Initiated: initiated }, { Key: 'no-id' }],
      IsTruncated: true,
      NextKeyMarker: 'k',
      NextUploadIdMarker: 'u1',
    });
    assert.deepEqual(page, {
      uploads: [{ key: 'k', uploadId: 'u1', initiated }],
      next: { keyMarker: 'k', uploadIdMarker: 'u1' },
    });
    assert.deepEqual(toUploadListing({ IsTruncated: false, NextKeyMarker: 'k' }), { uploads: [] });
  });

  it('an upload without a date counts as just begun, never as an old one', () => {
    const { uploads } = toUploadListing({ Uploads: [{ Key: 'k', UploadId: 'u' }] });
    assert.ok(Math.abs(uploads[0].initiated.getTime() - Date.now()) < 1000);
  });

  it('refuses a truncated page that does not move past its markers', () => {
    const previous = { keyMarker: 'k', uploadIdMarker: 'u1' };
    assert.throws(
      () =>
        toUploadListing(
          { IsTruncated: true, NextKeyMarker: 'k', NextUploadIdMarker: 'u1' },
          previous,
        ),
      /did not advance/,
    );
    assert.throws(() => toUploadListing({ IsTruncated: true }), /did not advance/);
  });
});
