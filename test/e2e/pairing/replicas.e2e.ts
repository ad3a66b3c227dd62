import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiProcess, type ApiProcess } from '../../support/api-process.js';
import { randomSuffix, startTestBackends, type TestBackends } from '../../support/backends.js';
import { decodeQr } from '../../support/qr.js';
import { sharedApiIdentity } from '../../support/replica-cluster.js';
import { dropDatabase, testEnv } from '../../support/test-app.js';
import { expectProblem } from '../http/problem-assert.js';
import {
  call,
  claim,
  createPairing,
  createSession,
  GENEROUS_LIMITS,
  json,
  newOwner,
  poll,
  type ActiveClaim,
  type PendingClaim,
  updateStored,
} from './pairing-client.js';

// Two real OS processes (the compiled main.js), as two replicas behind a load balancer: they
// share only MongoDB, storage and the signing key, never memory (passport's strategies, caches).
describe('pairing: two API processes on one database', () => {
  let backends: TestBackends;
  let a: ApiProcess;
  let b: ApiProcess;
  let mongoUri: string;
  let dataDir: string;

  before(async () => {
    backends = await startTestBackends();
    mongoUri = `${backends.mongoUri}/sx_pairing_${randomSuffix()}`;
    // One signing key and public URL (the tokens' issuer) for both, as replicas behind one load
    // balancer: tokens and derived pairing keys must agree across replicas.
    const env = { ...GENEROUS_LIMITS, MONGODB_URI: mongoUri, ...sharedApiIdentity() };
    dataDir = await mkdtemp(join(tmpdir(), 'sx-replicas-'));
    const start = (name: string) =>
      startApiProcess({ ...testEnv(backends, join(dataDir, name)), ...env });
    [a, b] = await Promise.all([start('a'), start('b')]);
  });
  after(async () => {
    const codes = await Promise.all([a.stop(), b.stop()]);
    assert.deepEqual(codes, [0, 0], `${a.run.stderr()}\n${b.run.stderr()}`);
    await rm(dataDir, { recursive: true, force: true });
    if (backends.external.mongo) await dropDatabase(mongoUri);
    await backends.stop();
  });

  it('claims on one a pairing created on the other, by secret and by code', async () => {
    const owner = await newOwner(a.baseUrl);
    const session = await createSession(a.baseUrl, owner);
    const pairing = await createPairing(a.baseUrl, owner, session.id);
    // The QR rendered by B holds the very secret A created.
    const qr = await call(
      b.baseUrl,
      'GET',
      `/v1/sessions/${session.id}/pairings/${pairing.id}/qr?format=png`,
      {
        token: owner.token,
      },
    );
    assert.equal(qr.status, 200);
    const url = await decodeQr(Buffer.from(await qr.arrayBuffer()), 'png');
    assert.equal(url, pairing.pairingUrl);
    const claimed = await json<ActiveClaim>(
      await claim(b.baseUrl, { secret: new URL(url).hash.slice(1) }),
      201,
    );
    // A's token works on A for the device B admitted, and the secret is spent everywhere.
    assert.equal(
      (await call(a.baseUrl, 'GET', `/v1/sessions/${session.id}`, { token: claimed.accessToken }))
        .status,
      200,
    );
    await expectProblem(
      await claim(a.baseUrl, { secret: new URL(url).hash.slice(1) }),
      401,
      'UNAUTHENTICATED',
    );
    const byCode = await createPairing(b.baseUrl, owner, session.id);
    await json<ActiveClaim>(await claim(a.baseUrl, { code: byCode.code.toLowerCase() }), 201);
  });

  it('refuses on one a device revoked through the other, on its next request', async () => {
    const owner = await newOwner(b.baseUrl);
    const session = await createSession(b.baseUrl, owner);
    const claimed = await json<ActiveClaim>(
      await claim(a.baseUrl, { code: (await createPairing(a.baseUrl, owner, session.id)).code }),
      201,
    );
    const read = (app: ApiProcess) =>
      call(app.baseUrl, 'GET', `/v1/sessions/${session.id}`, { token: claimed.accessToken });
    assert.equal((await read(a)).status, 200);
    assert.equal((await read(b)).status, 200);
    const revoked = await call(
      a.baseUrl,
      'DELETE',
      `/v1/sessions/${session.id}/devices/${claimed.device.id}`,
      {
        token: owner.token,
      },
    );
    assert.equal(revoked.status, 204);
    await expectProblem(await read(b), 401, 'UNAUTHENTICATED');
    await expectProblem(await read(a), 401, 'UNAUTHENTICATED');
  });

  it('approves on one a device that polls the other', async () => {
    const owner = await newOwner(a.baseUrl);
    const session = await createSession(a.baseUrl, owner, { requireApproval: true });
    const pairing = await createPairing(a.baseUrl, owner, session.id);
    const pending = await json<PendingClaim>(await claim(b.baseUrl, { code: pairing.code }), 202);
    // Setup: a 30 s interval, so the second poll is early however slow this machine is.
    await updateStored(mongoUri, 'pairings', pairing.id, { 'poll.intervalSeconds': 30 });
    await expectProblem(await poll(a.baseUrl, pending.pollSecret), 400, 'AUTHORIZATION_PENDING');
    await expectProblem(await poll(b.baseUrl, pending.pollSecret), 400, 'SLOW_DOWN');
    const approve = await call(
      b.baseUrl,
      'POST',
      `/v1/sessions/${session.id}/devices/${pending.device.id}/approve`,
      {
        token: owner.token,
      },
    );
    assert.equal(approve.status, 200);
    // Setup: as if the device had waited out its (now 35 s) interval.
    await updateStored(mongoUri, 'pairings', pairing.id, { 'poll.lastPolledAt': new Date(0) });
    const active = await json<ActiveClaim>(await poll(a.baseUrl, pending.pollSecret), 200);
    const read = await call(b.baseUrl, 'GET', `/v1/sessions/${session.id}`, {
      token: active.accessToken,
    });
    assert.equal(read.status, 200);
  });

  it('lets exactly one of 20 concurrent claims spread over both win', async () => {
    const owner = await newOwner(a.baseUrl);
    const session = await createSession(a.baseUrl, owner);
    const pairing = await createPairing(b.baseUrl, owner, session.id);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        claim(i % 2 === 0 ? a.baseUrl : b.baseUrl, { code: pairing.code }),
      ),
    );
    const statuses = answers.map((r) => r.status);
    await Promise.all(answers.map((r) => r.text()));
    assert.equal(statuses.filter((s) => s === 201).length, 1, statuses.join(','));
    assert.equal(statuses.filter((s) => s === 401).length, 19, statuses.join(','));
  });
});
