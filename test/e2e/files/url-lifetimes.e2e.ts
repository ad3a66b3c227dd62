// Presigned URLs never outlive their session: a download URL granted shortly before the session
// ends expires with it, whatever DOWNLOAD_URL_TTL_SECONDS allows.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { download, uploadSingle } from '../../support/upload-client.js';
import { GENEROUS_LIMITS, ownerWithSession } from './files-fixtures.js';

describe('files: URL lifetimes', () => {
  let t: TestApp;

  before(async () => {
    t = await startTestApp({ env: { ...GENEROUS_LIMITS, DOWNLOAD_URL_TTL_SECONDS: '900' } });
  });
  after(async () => {
    await t.close();
  });

  it('caps a download URL at the session’s expiry', async () => {
    const { owner, session } = await ownerWithSession(t.baseUrl, { ttlSeconds: 60 });
    const file = await uploadSingle(t.baseUrl, owner.token, session.id, {
      bytes: Buffer.from('short-lived'),
    });
    const { grant, res } = await download(t.baseUrl, owner.token, file.id);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'short-lived');
    const sessionEnds = new Date(session.expiresAt).getTime();
    assert.ok(
      new Date(grant.expiresAt).getTime() <= sessionEnds,
      `${grant.expiresAt} is after the session's end ${session.expiresAt}`,
    );
    const expires = Number(new URL(grant.url).searchParams.get('X-Amz-Expires'));
    assert.ok(expires >= 1 && expires <= 60, `X-Amz-Expires=${String(expires)}`);
  });
});
