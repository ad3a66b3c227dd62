// A client of the two replicas as one address behind the load balancer: every request carries
// that address in X-Forwarded-For (the APIs trust it from 127.0.0.1, as from a reverse proxy),
// so each test has rate-limit budgets of its own, and a rate-limit test one address for all its
// attempts, whichever replica takes them.
import { PASSWORD, uniqueEmail, type TokenPair } from '../auth/auth-client.js';
import { expectStatus } from '../../support/upload-client.js';
import { call, type CallOptions } from '../pairing/pairing-client.js';
import type { SessionBody } from '../sessions/sessions-client.js';

export type { CallOptions };

let nextAddress = 1;

/** A client address no other client of this file has (10.0.0.0/8, like a private network). */
function newAddress(): string {
  const n = nextAddress++;
  return `10.${String((n >> 16) & 255)}.${String((n >> 8) & 255)}.${String(n & 255)}`;
}

export interface Client {
  call(baseUrl: string, method: string, path: string, options?: CallOptions): Promise<Response>;
}

export function client(address = newAddress()): Client {
  return {
    call: (baseUrl, method, path, options = {}) =>
      call(baseUrl, method, path, {
        ...options,
        headers: { 'x-forwarded-for': address, ...options.headers },
      }),
  };
}

/** The JSON body of a response that must have `status` (undefined when empty). */
export const json = expectStatus;

export interface Account {
  email: string;
  tokens: TokenPair;
  token: string;
}

/** Registers on `registerAt` and logs in on `loginAt`. */
export async function newAccount(
  c: Client,
  registerAt: string,
  loginAt = registerAt,
): Promise<Account> {
  const email = uniqueEmail();
  await json(
    await c.call(registerAt, 'POST', '/v1/auth/register', { body: { email, password: PASSWORD } }),
    201,
  );
  const tokens = await json<TokenPair>(
    await c.call(loginAt, 'POST', '/v1/auth/login', { body: { email, password: PASSWORD } }),
    200,
  );
  return { email, tokens, token: tokens.accessToken };
}

export async function newSession(
  c: Client,
  baseUrl: string,
  token: string,
  body: Record<string, unknown> = {},
): Promise<SessionBody> {
  return json<SessionBody>(
    await c.call(baseUrl, 'POST', '/v1/sessions', { token, body: { name: 'shared', ...body } }),
    201,
  );
}

export interface Quota {
  day: string;
  files: { used: number; limit: number };
  bytes: { used: number; limit: number };
}

export const quotaOf = async (c: Client, baseUrl: string, token: string): Promise<Quota> =>
  json<Quota>(await c.call(baseUrl, 'GET', '/v1/quota', { token }), 200);

/** The statuses of `responses`, bodies drained, and how many of each. */
export async function tally(responses: Response[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const res of responses) {
    await res.body?.cancel();
    counts[String(res.status)] = (counts[String(res.status)] ?? 0) + 1;
  }
  return counts;
}
