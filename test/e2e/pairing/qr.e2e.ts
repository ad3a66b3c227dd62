import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import QRCode from 'qrcode';
import { randomSuffix, startTestBackends, type TestBackends } from '../../support/backends.js';
import { decodeQr, halfBlocksToModules, pngSize } from '../../support/qr.js';
import { dropDatabase, startTestApp, type TestApp } from '../../support/test-app.js';
import { login } from '../auth/auth-client.js';
import { expectProblem } from '../http/problem-assert.js';
import {
  call,
  claim,
  claimActive,
  createPairing,
  createSession,
  GENEROUS_LIMITS,
  newOwner,
  type Owner,
  type Pairing,
  type Session,
} from './pairing-client.js';

// What the QR of `url` must measure: the version follows from the URL's length at level M.
const modulesOf = (url: string): number =>
  QRCode.create(url, { errorCorrectionLevel: 'M' }).modules.size;

describe('pairing: QR codes', () => {
  let t: TestApp;
  let owner: Owner;
  let session: Session;
  let pairing: Pairing;
  const qrPath = (format?: string, p: Pairing = pairing, s: Session = session) =>
    `/v1/sessions/${s.id}/pairings/${p.id}/qr${format === undefined ? '' : `?format=${format}`}`;
  const qr = (format?: string, p?: Pairing, s?: Session, token = owner.token) =>
    call(t.baseUrl, 'GET', qrPath(format, p, s), { token });

  before(async () => {
    t = await startTestApp({ env: GENEROUS_LIMITS });
    owner = await newOwner(t.baseUrl);
    session = await createSession(t.baseUrl, owner);
    pairing = await createPairing(t.baseUrl, owner, session.id);
  });
  after(async () => {
    await t.close();
  });

  it('creates a pairing with a fragment secret, a code and an expiry', () => {
    assert.match(pairing.id, /^[A-Za-z0-9_-]{22}$/);
    assert.match(pairing.code, /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    const url = new URL(pairing.pairingUrl);
    assert.equal(`${url.origin}${url.pathname}`, `${t.config.publicUrl}/pair`);
    assert.match(url.hash, /^#[A-Za-z0-9_-]{43}$/);
    assert.equal(url.search, '');
    const ttl = Date.parse(pairing.expiresAt) - Date.now();
    assert.ok(ttl > 100_000 && ttl <= 120_000, `default lifetime 120 s, got ${String(ttl)} ms`);
  });

  it('PNG: 8 px per module with the quiet zone, decodes to exactly pairingUrl', async () => {
    const res = await qr('png');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/png');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const png = Buffer.from(await res.arrayBuffer());
    const { width, height } = pngSize(png);
    assert.equal(width, (modulesOf(pairing.pairingUrl) + 8) * 8);
    assert.equal(height, width);
    assert.equal(await decodeQr(png, 'png'), pairingUrl());
  });

  it('SVG (the default format) decodes to exactly pairingUrl once rasterized', async () => {
    for (const format of [undefined, 'svg']) {
      const res = await qr(format);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^image\/svg\+xml/);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const svg = await res.text();
      assert.match(svg, /^<svg /);
      assert.equal(await decodeQr(svg, 'svg'), pairingUrl());
    }
  });

  it('txt: half blocks of the expected size that decode to exactly pairingUrl', async () => {
    const res = await qr('txt');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const text = await res.text();
    assert.ok(text.endsWith('\n'), 'ends with a newline (the prompt starts on its own line)');
    const extent = modulesOf(pairing.pairingUrl) + 8;
    const lines = text.slice(0, -1).split('\n');
    assert.equal(lines.length, Math.ceil(extent / 2));
    for (const line of lines) assert.equal([...line].length, extent);
    // Quiet zone: the outer 4 modules are light all round.
    const modules = halfBlocksToModules(text);
    for (const row of [0, 1, 2, 3, extent - 1, extent - 4]) {
      assert.ok(modules[row]?.every(Boolean), `row ${String(row)} is quiet zone`);
    }
    assert.equal(await decodeQr(text, 'txt'), pairingUrl());
  });

  it('refuses other formats with a 400 problem', async () => {
    for (const format of ['gif', 'SVG', '', 'png&format=svg']) {
      await expectProblem(await qr(format), 400, 'VALIDATION_FAILED');
    }
  });

  it('is 404 for someone else, an unknown or malformed pairing, or the wrong session', async () => {
    const stranger = await newOwner(t.baseUrl);
    await expectProblem(await qr('png', pairing, session, stranger.token), 404, 'NOT_FOUND');
    const other = await createSession(t.baseUrl, owner);
    await expectProblem(await qr('png', pairing, other), 404, 'NOT_FOUND');
    const unknown = { ...pairing, id: 'AAAAAAAAAAAAAAAAAAAAAA' };
    await expectProblem(await qr('png', unknown), 404, 'NOT_FOUND');
    await expectProblem(await qr('png', { ...pairing, id: 'not-an-id' }), 404, 'NOT_FOUND');
    await expectProblem(await qr('png', pairing, { ...session, id: '..' }), 404, 'NOT_FOUND');
  });

  it('refuses anonymous callers', async () => {
    const res = await fetch(`${t.baseUrl}${qrPath('png')}`);
    await expectProblem(res, 401, 'UNAUTHENTICATED');
  });

  it('is 410 once the pairing was claimed: its secret is spent', async () => {
    const spent = await createPairing(t.baseUrl, owner, session.id);
    await claimActive(t.baseUrl, spent);
    await expectProblem(await qr('svg', spent), 410, 'GONE');
  });

  const pairingUrl = (): string => pairing.pairingUrl;
});

describe('pairing: QR codes after a signing-key rotation', () => {
  let backends: TestBackends;
  let mongoUri: string;

  // One database; the app is redeployed with a new JWT_PRIVATE_KEY, from which the pairing
  // secret is derived. (One app at a time: passport's strategies are process-wide.)
  const deploy = (): Promise<TestApp> => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const env = {
      ...GENEROUS_LIMITS,
      MONGODB_URI: mongoUri,
      JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    };
    return startTestApp({ backends, env });
  };
  before(async () => {
    backends = await startTestBackends();
    mongoUri = `${backends.mongoUri}/sx_rotation_${randomSuffix()}`;
  });
  after(async () => {
    if (backends.external.mongo) await dropDatabase(mongoUri);
    await backends.stop();
  });

  it('answers 410 instead of drawing a secret that no longer matches the pairing', async () => {
    const first = await deploy();
    let owner: Owner;
    let session: Session;
    let pairing: Pairing;
    let path: string;
    try {
      owner = await newOwner(first.baseUrl);
      session = await createSession(first.baseUrl, owner);
      pairing = await createPairing(first.baseUrl, owner, session.id);
      path = `/v1/sessions/${session.id}/pairings/${pairing.id}/qr?format=txt`;
      assert.equal((await call(first.baseUrl, 'GET', path, { token: owner.token })).status, 200);
    } finally {
      await first.close();
    }

    const second = await deploy();
    try {
      // The owner signs in again: the old token was signed with the old key.
      const { accessToken } = await login(second.baseUrl, owner.email);
      const refused = await expectProblem(
        await call(second.baseUrl, 'GET', path, { token: accessToken }),
        410,
        'GONE',
      );
      assert.equal(refused.detail, 'This pairing was made with an earlier key; create a new one');
      // A new pairing renders, and the QR code already on screen still claims (its secret's
      // hash is stored, whatever the key).
      const fresh = await createPairing(
        second.baseUrl,
        { ...owner, token: accessToken },
        session.id,
      );
      const freshPath = `/v1/sessions/${session.id}/pairings/${fresh.id}/qr?format=png`;
      const png = await call(second.baseUrl, 'GET', freshPath, { token: accessToken });
      assert.equal(png.status, 200);
      assert.equal(await decodeQr(Buffer.from(await png.arrayBuffer()), 'png'), fresh.pairingUrl);
      const claimed = await claim(second.baseUrl, {
        secret: new URL(pairing.pairingUrl).hash.slice(1),
      });
      assert.equal(claimed.status, 201, await claimed.text());
    } finally {
      await second.close();
    }
  });
});
