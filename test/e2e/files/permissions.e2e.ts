// Who may do what with files: device permissions (403), other sessions' devices (404), the
// uploader-only routes, and the session's end, which every file route honours at once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import {
  api,
  complete,
  declare,
  declareBody,
  declared,
  deleteFile,
  download,
  expectStatus,
  getFile,
  grantDownload,
  listFiles,
  putOk,
  requestParts,
  sha256Hex,
  storedParts,
  uploadSingle,
  type FileBody,
  type SingleUpload,
} from '../../support/upload-client.js';
import { expectProblem } from '../http/problem-assert.js';
import { activity, claimActive, createPairing, updateStored } from '../pairing/pairing-client.js';
import {
  GENEROUS_LIMITS,
  newOwner,
  ownerWithSession,
  sessionWithDevice,
  type Owner,
} from './files-fixtures.js';

const bytes = Buffer.from('shared with a phone');
const body = declareBody({ bytes });
const partBody = { parts: [{ partNumber: 1, sha256: sha256Hex(bytes) }] };

/** Every file route of `fileId` (and of its session), as `token` would call it. */
function everyRoute(baseUrl: string, token: string, sessionId: string, fileId: string) {
  return {
    declare: () => declare(baseUrl, token, sessionId, body),
    list: () => listFiles(baseUrl, token, sessionId),
    get: () => getFile(baseUrl, token, fileId),
    requestParts: () => requestParts(baseUrl, token, fileId, partBody.parts),
    storedParts: () => storedParts(baseUrl, token, fileId),
    complete: () => complete(baseUrl, token, fileId),
    download: () => grantDownload(baseUrl, token, fileId),
    delete: () => deleteFile(baseUrl, token, fileId),
  };
}

describe('files: permissions and the session’s end', () => {
  let t: TestApp;
  let owner: Owner;

  before(async () => {
    t = await startTestApp({ env: GENEROUS_LIMITS });
    owner = await newOwner(t.baseUrl);
  });
  after(async () => {
    await t.close();
  });

  it('refuses a device the upload, download or delete permission it lacks (403)', async () => {
    const noUpload = await sessionWithDevice(t.baseUrl, owner, ['download']);
    const file = await uploadSingle(t.baseUrl, owner.token, noUpload.session.id, { bytes });
    const routes = everyRoute(t.baseUrl, noUpload.deviceToken, noUpload.session.id, file.id);
    for (const call of [routes.declare, routes.requestParts, routes.storedParts, routes.complete]) {
      await expectProblem(await call(), 403, 'FORBIDDEN');
    }
    await expectProblem(await routes.delete(), 403, 'FORBIDDEN');
    // What it may do, it does.
    const { res } = await download(t.baseUrl, noUpload.deviceToken, file.id);
    assert.equal(sha256Hex(Buffer.from(await res.arrayBuffer())), file.sha256);
    assert.equal((await expectStatus<FileBody>(await routes.get(), 200)).id, file.id);

    const noDownload = await sessionWithDevice(t.baseUrl, owner, ['upload']);
    const mine = await uploadSingle(t.baseUrl, noDownload.deviceToken, noDownload.session.id, {
      bytes,
    });
    await expectProblem(
      await grantDownload(t.baseUrl, noDownload.deviceToken, mine.id),
      403,
      'FORBIDDEN',
    );

    const deleter = await sessionWithDevice(t.baseUrl, owner, ['delete']);
    const doomed = await uploadSingle(t.baseUrl, owner.token, deleter.session.id, { bytes });
    assert.equal((await deleteFile(t.baseUrl, deleter.deviceToken, doomed.id)).status, 204);
    assert.equal((await deleteFile(t.baseUrl, deleter.deviceToken, doomed.id)).status, 204);
    await expectProblem(await getFile(t.baseUrl, owner.token, doomed.id), 404, 'NOT_FOUND');
  });

  it('answers 404 to a device of another session, and to another owner, on every route', async () => {
    const { session } = await sessionWithDevice(t.baseUrl, owner, ['upload', 'download', 'delete']);
    const file = await uploadSingle(t.baseUrl, owner.token, session.id, { bytes });
    const elsewhere = await sessionWithDevice(t.baseUrl, owner, ['upload', 'download', 'delete']);
    const stranger = await newOwner(t.baseUrl);
    for (const token of [elsewhere.deviceToken, stranger.token]) {
      const routes = everyRoute(t.baseUrl, token, session.id, file.id);
      for (const [name, call] of Object.entries(routes)) {
        const res = await call();
        assert.equal(res.status, 404, `${name}: ${await res.clone().text()}`);
        await expectProblem(res, 404, 'NOT_FOUND');
      }
    }
    // Nothing changed.
    const still = await expectStatus<FileBody>(await getFile(t.baseUrl, owner.token, file.id), 200);
    assert.equal(still.status, 'ready');
    assert.equal(still.downloads, 0);
  });

  it('records who took each download: the device in file.downloaded, no device for the owner', async () => {
    const { session, deviceToken, deviceId } = await sessionWithDevice(t.baseUrl, owner, [
      'download',
    ]);
    const file = await uploadSingle(t.baseUrl, owner.token, session.id, { bytes });
    await expectStatus(await grantDownload(t.baseUrl, deviceToken, file.id), 201);
    await expectStatus(await grantDownload(t.baseUrl, owner.token, file.id), 201);
    const downloads = (await activity(t.baseUrl, owner, session.id)).items
      .filter((e) => e.type === 'file.downloaded')
      .map((e) => e.data);
    assert.deepEqual(downloads, [
      { fileId: file.id, downloads: 1, deviceId },
      { fileId: file.id, downloads: 2 },
    ]);
  });

  it('keeps parts and complete to the uploader; devices see ready files and their own', async () => {
    const { session, deviceToken } = await sessionWithDevice(t.baseUrl, owner, [
      'upload',
      'download',
    ]);
    const { file, upload } = await declared<SingleUpload>(
      t.baseUrl,
      deviceToken,
      session.id,
      { bytes },
      'single',
    );
    await putOk(upload, bytes);
    // The owner sees the device's pending file but may not complete it.
    assert.equal(
      (await expectStatus<FileBody>(await getFile(t.baseUrl, owner.token, file.id), 200)).status,
      'pending',
    );
    await expectProblem(await complete(t.baseUrl, owner.token, file.id), 403, 'FORBIDDEN');
    // A second device of the session does not see it until it is ready.
    const second = (await claimActive(t.baseUrl, await createPairing(t.baseUrl, owner, session.id)))
      .accessToken;
    await expectProblem(await getFile(t.baseUrl, second, file.id), 404, 'NOT_FOUND');
    await expectProblem(await complete(t.baseUrl, second, file.id), 404, 'NOT_FOUND');
    const pendingList = await expectStatus<{ items: FileBody[] }>(
      await listFiles(t.baseUrl, second, session.id),
      200,
    );
    assert.deepEqual(pendingList.items, []);
    // The uploader completes it; then everyone sees it.
    assert.equal(
      (await expectStatus<FileBody>(await complete(t.baseUrl, deviceToken, file.id), 200)).status,
      'ready',
    );
    assert.equal(
      (await expectStatus<FileBody>(await getFile(t.baseUrl, second, file.id), 200)).id,
      file.id,
    );
    const readyList = await expectStatus<{ items: FileBody[] }>(
      await listFiles(t.baseUrl, second, session.id),
      200,
    );
    assert.deepEqual(
      readyList.items.map((f) => f.id),
      [file.id],
    );
    // Charged to the session's owner, whoever uploads.
    const quota = await expectStatus<{ files: { used: number } }>(
      await api(t.baseUrl, 'GET', '/v1/quota', owner.token),
      200,
    );
    assert.ok(quota.files.used >= 1);
  });

  for (const end of ['closed', 'expired'] as const) {
    it(`refuses every file route at once once the session is ${end}`, async () => {
      const { owner: own, session } = await ownerWithSession(t.baseUrl, {
        guestPermissions: ['upload', 'download', 'delete'],
      });
      const claimed = await sessionWithDevice(t.baseUrl, own, ['upload', 'download', 'delete']);
      const ready = await uploadSingle(t.baseUrl, own.token, session.id, { bytes });
      const deviceFile = await uploadSingle(t.baseUrl, claimed.deviceToken, claimed.session.id, {
        bytes,
      });
      const pending = (
        await declared<SingleUpload>(t.baseUrl, own.token, session.id, { bytes }, 'single')
      ).file;

      for (const id of [session.id, claimed.session.id]) {
        if (end === 'closed') {
          assert.equal(
            (await api(t.baseUrl, 'DELETE', `/v1/sessions/${id}`, own.token)).status,
            204,
          );
        } else {
          await updateStored(t.config.mongo.uri, 'sessions', id, {
            expiresAt: new Date(Date.now() - 1000),
          });
        }
      }

      // The owner: 410 for every write and download, metadata still readable.
      for (const fileId of [ready.id, pending.id]) {
        const routes = everyRoute(t.baseUrl, own.token, session.id, fileId);
        for (const call of [
          routes.declare,
          routes.requestParts,
          routes.storedParts,
          routes.complete,
          routes.download,
          routes.delete,
        ]) {
          await expectProblem(await call(), 410, 'SESSION_EXPIRED');
        }
        assert.equal((await expectStatus<FileBody>(await routes.get(), 200)).id, fileId);
        await expectStatus(await routes.list(), 200);
      }
      // A device of the ended session: its token no longer stands anywhere.
      const routes = everyRoute(t.baseUrl, claimed.deviceToken, claimed.session.id, deviceFile.id);
      for (const [name, call] of Object.entries(routes)) {
        const res = await call();
        assert.equal(res.status, 401, `${name}: ${await res.clone().text()}`);
        await res.body?.cancel();
      }
      // Nothing was deleted or counted.
      const still = await expectStatus<FileBody>(
        await getFile(t.baseUrl, own.token, ready.id),
        200,
      );
      assert.equal(still.status, 'ready');
      assert.equal(still.downloads, 0);
    });
  }
});
