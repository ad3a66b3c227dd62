// HTTP helpers for the pairing e2e specs: plain fetch, as an owner's app or a phone would.
import assert from 'node:assert/strict';
import { MongoClient } from 'mongodb';
import { signUp } from '../auth/auth-client.js';

/** Test apps claim and poll far more often than a client address may in production. */
export const GENEROUS_LIMITS: Record<string, string> = {
  RATE_LIMIT_MAX: '100000',
  RATE_LIMIT_AUTH_MAX: '100000',
  RATE_LIMIT_POLL_MAX: '100000',
  PAIRING_POLL_INTERVAL_SECONDS: '1',
};

export interface Session {
  id: string;
  name: string;
  status: string;
  expiresAt: string;
  requireApproval: boolean;
  stats: { files: number; bytes: number; devices: number };
}

export interface Pairing {
  id: string;
  code: string;
  pairingUrl: string;
  expiresAt: string;
}

export interface Device {
  id: string;
  name: string;
  status: string;
  createdAt: string;
  lastSeenAt: string | null;
  userAgent: string | null;
}

export interface ActiveClaim {
  status: 'active';
  accessToken: string;
  tokenType: string;
  expiresAt: string;
  device: Device;
  session: Session;
}

export interface PendingClaim {
  status: 'pending';
  device: Device;
  pollSecret: string;
  interval: number;
  expiresAt: string;
}

export interface Owner {
  token: string;
  email: string;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export async function call(
  baseUrl: string,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: options.signal,
  });
}

export async function json<T>(res: Response, status: number): Promise<T> {
  const text = await res.text();
  assert.equal(res.status, status, text);
  return JSON.parse(text) as T;
}

export async function newOwner(baseUrl: string): Promise<Owner> {
  const { accessToken, email } = await signUp(baseUrl);
  return { token: accessToken, email };
}

export async function createSession(
  baseUrl: string,
  owner: Owner,
  body: Record<string, unknown> = {},
): Promise<Session> {
  const res = await call(baseUrl, 'POST', '/v1/sessions', {
    token: owner.token,
    body: { name: 'Holiday photos', ...body },
  });
  return json<Session>(res, 201);
}

export async function createPairing(
  baseUrl: string,
  owner: Owner,
  sessionId: string,
  body: Record<string, unknown> = {},
): Promise<Pairing> {
  const res = await call(baseUrl, 'POST', `/v1/sessions/${sessionId}/pairings`, {
    token: owner.token,
    body,
  });
  return json<Pairing>(res, 201);
}

export const secretOf = (pairing: Pairing): string => {
  const hash = new URL(pairing.pairingUrl).hash;
  assert.ok(hash.length > 1, 'the secret is in the fragment');
  return hash.slice(1);
};

export const claim = (baseUrl: string, body: Record<string, unknown>, userAgent?: string) =>
  call(baseUrl, 'POST', '/v1/pairings/claim', {
    body,
    headers: userAgent === undefined ? {} : { 'user-agent': userAgent },
  });

export async function claimActive(
  baseUrl: string,
  pairing: Pairing,
  deviceName = 'Phone',
): Promise<ActiveClaim> {
  return json<ActiveClaim>(await claim(baseUrl, { secret: secretOf(pairing), deviceName }), 201);
}

export const poll = (baseUrl: string, pollSecret: string) =>
  call(baseUrl, 'POST', '/v1/pairings/poll', { body: { pollSecret } });

export async function listDevices(baseUrl: string, owner: Owner, sessionId: string) {
  const res = await call(baseUrl, 'GET', `/v1/sessions/${sessionId}/devices`, {
    token: owner.token,
  });
  return json<{ items: Device[]; nextCursor: null }>(res, 200);
}

export async function activity(baseUrl: string, owner: Owner, sessionId: string) {
  const res = await call(baseUrl, 'GET', `/v1/sessions/${sessionId}/activity?limit=100`, {
    token: owner.token,
  });
  return json<{
    items: { seq: number; type: string; at: string; data: Record<string, unknown> }[];
  }>(res, 200);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Test setup only: changes stored documents directly through the driver on the app's database
 * (e.g. moves an expiry into the past), which no API route can do.
 */
export async function updateStored(
  mongoUri: string,
  collection: 'pairings' | 'sessions',
  id: string,
  set: Record<string, unknown>,
): Promise<void> {
  const client = new MongoClient(mongoUri, { serverSelectionTimeoutMS: 5000 });
  try {
    const result = await client
      .db()
      .collection<{ _id: string }>(collection)
      .updateOne({ _id: id }, { $set: set });
    assert.equal(result.matchedCount, 1, `${collection} ${id} exists`);
  } finally {
    await client.close();
  }
}

export async function readStored(
  mongoUri: string,
  collection: 'pairings' | 'sessions',
  id: string,
): Promise<Record<string, unknown> | null> {
  const client = new MongoClient(mongoUri, { serverSelectionTimeoutMS: 5000 });
  try {
    return await client.db().collection<{ _id: string }>(collection).findOne({ _id: id });
  } finally {
    await client.close();
  }
}

/** Test setup only: removes a stored document (e.g. a pairing MongoDB's TTL index purged). */
export async function deleteStored(
  mongoUri: string,
  collection: 'pairings' | 'sessions',
  id: string,
): Promise<void> {
  const client = new MongoClient(mongoUri, { serverSelectionTimeoutMS: 5000 });
  try {
    const result = await client.db().collection<{ _id: string }>(collection).deleteOne({ _id: id });
    assert.equal(result.deletedCount, 1, `${collection} ${id} existed`);
  } finally {
    await client.close();
  }
}
