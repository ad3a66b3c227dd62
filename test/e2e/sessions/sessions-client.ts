// HTTP helpers for the sessions e2e specs: plain fetch with a bearer token, as a client would.
import assert from 'node:assert/strict';
import { api } from '../../support/upload-client.js';

export interface SessionBody {
  id: string;
  name: string;
  status: 'active' | 'closed' | 'expired';
  createdAt: string;
  expiresAt: string;
  guestPermissions: string[];
  requireApproval: boolean;
  limits: {
    maxDevices: number;
    maxFiles: number;
    maxTotalBytes: number;
    maxFileBytes: number;
    maxDownloadsPerFile: number;
  };
  stats: { files: number; bytes: number; devices: number };
}

export interface SessionPage {
  items: SessionBody[];
  nextCursor: string | null;
}

export interface ActivityEvent {
  seq: number;
  type: string;
  at: string;
  data: Record<string, unknown>;
}

export interface ActivityPage {
  items: ActivityEvent[];
  nextCursor: string | null;
}

/** One request; `body` is sent as JSON (a string is sent as it is). */
/** One API request; `body` is sent as JSON (a string as it is). */
export const call = api;

/** The JSON body of a response that must have `status`. */
export async function expectJson<T>(res: Response, status: number): Promise<T> {
  const text = await res.text();
  assert.equal(res.status, status, text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  return JSON.parse(text) as T;
}

export async function createSession(
  baseUrl: string,
  token: string,
  body: Record<string, unknown> = {},
): Promise<SessionBody> {
  return expectJson<SessionBody>(await call(baseUrl, 'POST', '/v1/sessions', token, body), 201);
}

export async function getSession(baseUrl: string, token: string, id: string): Promise<SessionBody> {
  return expectJson<SessionBody>(await call(baseUrl, 'GET', `/v1/sessions/${id}`, token), 200);
}

/** Every event of a session, following nextCursor page by page. */
export async function allActivity(
  baseUrl: string,
  token: string,
  id: string,
  limit = 100,
): Promise<ActivityEvent[]> {
  const events: ActivityEvent[] = [];
  let after = '0';
  for (;;) {
    const page = await expectJson<ActivityPage>(
      await call(
        baseUrl,
        'GET',
        `/v1/sessions/${id}/activity?after=${after}&limit=${String(limit)}`,
        token,
      ),
      200,
    );
    events.push(...page.items);
    if (page.nextCursor === null) return events;
    after = page.nextCursor;
  }
}

/** The value of an unlabelled counter at /metrics (0 when absent). */
export async function counterValue(baseUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.slice(name.length + 1));
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));
