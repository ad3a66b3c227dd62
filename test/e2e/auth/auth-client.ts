// Small HTTP helpers for the auth e2e specs: plain fetch, as a client would.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: string;
  expiresIn: number;
}

export const uniqueEmail = (): string => `user-${randomBytes(5).toString('hex')}@example.com`;
export const PASSWORD = 'correct horse battery staple';

export const postJson = (baseUrl: string, path: string, body: unknown): Promise<Response> =>
  fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

export const getWithToken = (baseUrl: string, path: string, token?: string): Promise<Response> =>
  fetch(`${baseUrl}${path}`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });

export async function register(baseUrl: string, email: string, password = PASSWORD): Promise<void> {
  const res = await postJson(baseUrl, '/v1/auth/register', { email, password });
  assert.equal(res.status, 201, await res.clone().text());
}

export async function login(
  baseUrl: string,
  email: string,
  password = PASSWORD,
): Promise<TokenPair> {
  const res = await postJson(baseUrl, '/v1/auth/login', { email, password });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as TokenPair;
}

/** A fresh account and its first token pair. */
export async function signUp(baseUrl: string): Promise<TokenPair & { email: string }> {
  const email = uniqueEmail();
  await register(baseUrl, email);
  return { email, ...(await login(baseUrl, email)) };
}
