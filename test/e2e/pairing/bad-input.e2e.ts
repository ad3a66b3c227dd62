import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { expectProblem } from '../http/problem-assert.js';
import {
  activity,
  call,
  createPairing,
  createSession,
  GENEROUS_LIMITS,
  listDevices,
  newOwner,
  secretOf,
  type Owner,
  type Pairing,
  type Session,
} from './pairing-client.js';

interface Case {
  name: string;
  method: string;
  path: (s: Session, p: Pairing) => string;
  body?: unknown;
  raw?: string;
  owner?: boolean;
  status: number;
  code: string;
}

const CLAIM = () => '/v1/pairings/claim';
const POLL = () => '/v1/pairings/poll';
const PAIRINGS = (s: Session) => `/v1/sessions/${s.id}/pairings`;
const QR = (s: Session, p: Pairing) => `/v1/sessions/${s.id}/pairings/${p.id}/qr`;
const FAKE_ID = 'AAAAAAAAAAAAAAAAAAAAAA';

const CASES: Case[] = [
  // Claims: exactly one of secret and code, strings only, known fields only.
  {
    name: 'claim: neither secret nor code',
    method: 'POST',
    path: CLAIM,
    body: {},
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'claim: only a device name',
    method: 'POST',
    path: CLAIM,
    body: { deviceName: 'x' },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'claim: both secret and code',
    method: 'POST',
    path: CLAIM,
    body: { secret: 'SECRET', code: 'CODE' },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'claim: unknown field',
    method: 'POST',
    path: CLAIM,
    body: { secret: 'SECRET', admin: true },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'claim: secret is a number',
    method: 'POST',
    path: CLAIM,
    body: { secret: 42 },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'claim: secret is an operator',
    method: 'POST',
    path: CLAIM,
    body: { secret: { $ne: '' } },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'claim: code is an array',
    method: 'POST',
    path: CLAIM,
    body: { code: ['BCDF-GHJK'] },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'claim: secret is null',
    method: 'POST',
    path: CLAIM,
    body: { secret: null },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'claim: empty secret',
    method: 'POST',
    path: CLAIM,
    body: { secret: '' },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'claim: huge secret',
    method: 'POST',
    path: CLAIM,
    body: { secret: 'a'.repeat(10_000) },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'claim: device name with a control character',
    method: 'POST',
    path: CLAIM,
    body: { secret: 'SECRET', deviceName: 'a\u0007b' },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'claim: device name too long',
    method: 'POST',
    path: CLAIM,
    body: { secret: 'SECRET', deviceName: 'x'.repeat(65) },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'claim: device name is a number',
    method: 'POST',
    path: CLAIM,
    body: { secret: 'SECRET', deviceName: 7 },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'claim: body is an array',
    method: 'POST',
    path: CLAIM,
    body: [{ secret: 'SECRET' }],
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'claim: malformed JSON',
    method: 'POST',
    path: CLAIM,
    raw: '{"secret":',
    status: 400,
    code: 'BAD_REQUEST',
  },
  // Polls.
  {
    name: 'poll: no poll secret',
    method: 'POST',
    path: POLL,
    body: {},
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'poll: poll secret is a number',
    method: 'POST',
    path: POLL,
    body: { pollSecret: 1 },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'poll: unknown field',
    method: 'POST',
    path: POLL,
    body: { pollSecret: 'x', deviceCode: 'y' },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  // Pairing creation.
  {
    name: 'pairing: ttlSeconds below 30',
    method: 'POST',
    path: PAIRINGS,
    body: { ttlSeconds: 29 },
    owner: true,
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'pairing: ttlSeconds above 600',
    method: 'POST',
    path: PAIRINGS,
    body: { ttlSeconds: 601 },
    owner: true,
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'pairing: ttlSeconds a fraction',
    method: 'POST',
    path: PAIRINGS,
    body: { ttlSeconds: 60.5 },
    owner: true,
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'pairing: ttlSeconds a string',
    method: 'POST',
    path: PAIRINGS,
    body: { ttlSeconds: '60' },
    owner: true,
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'pairing: unknown field',
    method: 'POST',
    path: PAIRINGS,
    body: { secret: 'mine' },
    owner: true,
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'pairing: malformed session id',
    method: 'POST',
    path: () => '/v1/sessions/not-an-id/pairings',
    body: {},
    owner: true,
    status: 404,
    code: 'NOT_FOUND',
  },
  {
    name: 'pairing: unknown session id',
    method: 'POST',
    path: () => `/v1/sessions/${FAKE_ID}/pairings`,
    body: {},
    owner: true,
    status: 404,
    code: 'NOT_FOUND',
  },
  // QR.
  {
    name: 'qr: format=gif',
    method: 'GET',
    path: (s, p) => `${QR(s, p)}?format=gif`,
    owner: true,
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'qr: format twice',
    method: 'GET',
    path: (s, p) => `${QR(s, p)}?format=png&format=svg`,
    owner: true,
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'qr: unknown query parameter',
    method: 'GET',
    path: (s, p) => `${QR(s, p)}?size=9000`,
    owner: true,
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'qr: malformed pairing id',
    method: 'GET',
    path: (s) => `/v1/sessions/${s.id}/pairings/%00%ff/qr`,
    owner: true,
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'qr: pairing id of the wrong shape',
    method: 'GET',
    path: (s) => `/v1/sessions/${s.id}/pairings/${'x'.repeat(23)}/qr`,
    owner: true,
    status: 404,
    code: 'NOT_FOUND',
  },
  // Devices.
  {
    name: 'devices: malformed device id',
    method: 'POST',
    path: (s) => `/v1/sessions/${s.id}/devices/%20/approve`,
    owner: true,
    status: 404,
    code: 'NOT_FOUND',
  },
  {
    name: 'devices: unknown device',
    method: 'DELETE',
    path: (s) => `/v1/sessions/${s.id}/devices/${FAKE_ID}`,
    owner: true,
    status: 404,
    code: 'NOT_FOUND',
  },
  {
    name: 'devices: approve with a body field',
    method: 'POST',
    path: (s) => `/v1/sessions/${s.id}/devices/${FAKE_ID}/approve`,
    body: { force: true },
    owner: true,
    status: 404,
    code: 'NOT_FOUND',
  },
];

describe('pairing: bad input gets a 4xx problem and changes nothing', () => {
  let t: TestApp;
  let owner: Owner;
  let session: Session;
  let pairing: Pairing;

  before(async () => {
    t = await startTestApp({ env: GENEROUS_LIMITS });
    owner = await newOwner(t.baseUrl);
    session = await createSession(t.baseUrl, owner);
    pairing = await createPairing(t.baseUrl, owner, session.id);
  });
  after(async () => {
    await t.close();
  });

  for (const c of CASES) {
    it(c.name, async () => {
      // Real credentials inside the bad bodies: they must not be used.
      const body = JSON.parse(
        JSON.stringify(c.body ?? null)
          .replaceAll('"SECRET"', JSON.stringify(secretOf(pairing)))
          .replaceAll('"CODE"', JSON.stringify(pairing.code)),
      ) as unknown;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (c.owner === true) headers.authorization = `Bearer ${owner.token}`;
      const res = await fetch(`${t.baseUrl}${c.path(session, pairing)}`, {
        method: c.method,
        headers: c.method === 'GET' ? { authorization: headers.authorization ?? '' } : headers,
        body: c.method === 'GET' ? undefined : (c.raw ?? JSON.stringify(body ?? {})),
      });
      await expectProblem(res, c.status, c.code);
    });
  }

  it('left the session, its devices, its events and the pairing as they were', async () => {
    assert.equal((await listDevices(t.baseUrl, owner, session.id)).items.length, 0);
    const { items } = await activity(t.baseUrl, owner, session.id);
    assert.deepEqual(
      items.map((e) => e.type),
      ['session.created', 'pairing.created'],
    );
    // The pairing is still claimable.
    const res = await call(t.baseUrl, 'POST', '/v1/pairings/claim', {
      body: { secret: secretOf(pairing) },
    });
    assert.equal(res.status, 201, await res.text());
  });
});
