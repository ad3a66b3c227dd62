// What a device's session read and download grant cost the database, seen through a tap in
// front of MongoDB: the commands each request sends (the rate limiter's are its own concern and
// left out), and what 50 grants at once in one session copy into the events collection.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomSuffix, startTestBackends, type TestBackends } from '../../support/backends.js';
import { targetOf } from '../../support/fault-proxy.js';
import { startMongoTap, type MongoTap, type TappedCommand } from '../../support/mongo-tap.js';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import {
  api,
  expectStatus,
  grantDownload,
  uploadSingle,
  type DownloadGrant,
} from '../../support/upload-client.js';
import { activity, sleep } from '../pairing/pairing-client.js';
import { GENEROUS_LIMITS, newOwner, sessionWithDevice } from './files-fixtures.js';

const GRANTS = 50;

describe('files: database round trips of a device', () => {
  let backends: TestBackends;
  let tap: MongoTap;
  let t: TestApp;

  before(async () => {
    backends = await startTestBackends();
    tap = await startMongoTap(targetOf(backends.mongoUri));
    t = await startTestApp({
      backends,
      env: { ...GENEROUS_LIMITS, MONGODB_URI: tap.uri(`sx_trips_${randomSuffix()}`) },
    });
  });
  after(async () => {
    await t?.close();
    await tap?.close();
    await backends?.stop();
  });

  const readSession = (sessionId: string, token: string) =>
    api(t.baseUrl, 'GET', `/v1/sessions/${sessionId}`, token);

  /** A device with one ready file in its session, past its first request. */
  async function deviceWithFile() {
    const owner = await newOwner(t.baseUrl);
    const device = await sessionWithDevice(t.baseUrl, owner, ['download'], {
      limits: { maxDownloadsPerFile: 100 },
    });
    const file = await uploadSingle(t.baseUrl, owner.token, device.session.id, {
      bytes: Buffer.from('popular'),
    });
    // A device's first request writes its lastSeenAt (at most once a minute, not awaited).
    await expectStatus(await readSession(device.session.id, device.deviceToken), 200);
    await sleep(100);
    return { owner, ...device, file };
  }

  // What the request asked of MongoDB: commands on a collection, the rate limiter's left out
  // (the driver's own monitoring names none), after `at`, once the un-awaited writes landed.
  async function commandsSince(at: number): Promise<TappedCommand[]> {
    await sleep(100);
    return tap.commands.filter(
      (c) => c.at >= at && c.collection !== undefined && c.collection !== 'rate_limits',
    );
  }
  const named = (commands: TappedCommand[]) =>
    commands.map((c) => `${c.command} ${c.collection ?? ''}`);

  it('reads its session with one command: the token check’s read, reused for the answer', async () => {
    const { session, deviceToken } = await deviceWithFile();
    const start = Date.now();
    const body = await expectStatus<{ id: string }>(
      await readSession(session.id, deviceToken),
      200,
    );
    assert.equal(body.id, session.id);
    assert.deepEqual(named(await commandsSince(start)), ['find sessions']);
  });

  it('grants a download with no read of the file: session read, counted, event recorded and copied', async () => {
    const { owner, session, deviceToken, file } = await deviceWithFile();
    const start = Date.now();
    const granted = await expectStatus<DownloadGrant>(
      await grantDownload(t.baseUrl, deviceToken, file.id),
      201,
    );
    assert.equal(granted.remainingDownloads, 99);
    assert.deepEqual(named(await commandsSince(start)), [
      'find sessions',
      'findAndModify files',
      'findAndModify sessions',
      'insert events',
      'update sessions',
    ]);
    const stored = tap.commands.find(
      (c) => c.at >= start && c.command === 'findAndModify' && c.collection === 'sessions',
    );
    // The outbox update hands back only what the copy needs, not the session document.
    assert.deepEqual(stored?.body?.fields, { _id: 1, seq: 1, outbox: 1 });
    const events = (await activity(t.baseUrl, owner, session.id)).items;
    assert.equal(events.filter((e) => e.type === 'file.downloaded').length, 1);
  });

  it(`copies each of ${String(GRANTS)} grants at once in one session into events exactly once`, async () => {
    const { owner, session, deviceToken, file } = await deviceWithFile();
    const start = Date.now();
    const answers = await Promise.all(
      Array.from({ length: GRANTS }, () => grantDownload(t.baseUrl, deviceToken, file.id)),
    );
    const remaining = await Promise.all(
      answers.map(async (res) => (await expectStatus<DownloadGrant>(res, 201)).remainingDownloads),
    );
    assert.deepEqual(
      remaining.sort((a, b) => b - a),
      Array.from({ length: GRANTS }, (_, i) => 99 - i),
    );
    const commands = await commandsSince(start);
    const copied = commands
      .filter((c) => c.command === 'insert' && c.collection === 'events')
      .flatMap((c): unknown[] => (Array.isArray(c.body?.documents) ? c.body.documents : []));
    // Before the flushes were coalesced, each grant copied the whole outbox again (hundreds).
    assert.equal(copied.length, GRANTS, 'no event copied twice');
    const events = (await activity(t.baseUrl, owner, session.id)).items;
    assert.equal(events.filter((e) => e.type === 'file.downloaded').length, GRANTS);
  });
});
