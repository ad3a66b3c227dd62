// What the live specs share: an owner with a session, a paired device, and the changes that
// record an event (each one event, so a spec knows which seq comes next).
import assert from 'node:assert/strict';
import {
  call,
  claimActive,
  createPairing,
  createSession,
  newOwner,
  type ActiveClaim,
  type Owner,
  type Session,
} from '../pairing/pairing-client.js';

export { GENEROUS_LIMITS } from '../pairing/pairing-client.js';

export interface Seq {
  seq: number;
}

export interface OwnerSession {
  owner: Owner;
  session: Session;
}

export async function ownerWithSession(
  baseUrl: string,
  body: Record<string, unknown> = {},
): Promise<OwnerSession> {
  const owner = await newOwner(baseUrl);
  return { owner, session: await createSession(baseUrl, owner, body) };
}

/** PATCH name: one `session.renamed` event. */
export async function rename(
  baseUrl: string,
  owner: Owner,
  sessionId: string,
  name: string,
): Promise<void> {
  const res = await call(baseUrl, 'PATCH', `/v1/sessions/${sessionId}`, {
    token: owner.token,
    body: { name },
  });
  assert.equal(res.status, 200, await res.text());
}

/** A new pairing and an active device claimed with it (two events: pairing.created, device.claimed). */
export async function pairDevice(
  baseUrl: string,
  owner: Owner,
  sessionId: string,
  name = 'Phone',
): Promise<ActiveClaim> {
  return claimActive(baseUrl, await createPairing(baseUrl, owner, sessionId), name);
}

export async function closeSession(baseUrl: string, owner: Owner, sessionId: string) {
  const res = await call(baseUrl, 'DELETE', `/v1/sessions/${sessionId}`, { token: owner.token });
  assert.equal(res.status, 204, await res.text());
}

export async function revokeDevice(
  baseUrl: string,
  owner: Owner,
  sessionId: string,
  deviceId: string,
) {
  const res = await call(baseUrl, 'DELETE', `/v1/sessions/${sessionId}/devices/${deviceId}`, {
    token: owner.token,
  });
  assert.equal(res.status, 204, await res.text());
}

/** The session's current seq, from the JSON feed. */
export async function currentSeq(baseUrl: string, owner: Owner, sessionId: string) {
  const res = await call(baseUrl, 'GET', `/v1/sessions/${sessionId}/activity?limit=100`, {
    token: owner.token,
  });
  const page = (await res.json()) as { items: Seq[] };
  return page.items.at(-1)?.seq ?? 0;
}
