// The user's tokens, per server URL, in <configDir>/credentials.json (0600).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configDir, writePrivateFile, type Env } from './config-dir.ts';

export interface Credentials {
  readonly email: string;
  readonly accessToken: string;
  readonly refreshToken: string;
  /** ISO time the access token expires. */
  readonly expiresAt: string;
}

type Store = Record<string, Credentials>;

export function credentialsPath(env: Env): string {
  return join(configDir(env), 'credentials.json');
}

/** One spelling per server: `http://Host:3000/` and `http://host:3000` are the same key. */
export function serverKey(server: string): string {
  try {
    const url = new URL(server);
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
  } catch {
    return server.replace(/\/+$/, '');
  }
}

const isCredentials = (v: unknown): v is Credentials => {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r.email === 'string' &&
    typeof r.accessToken === 'string' &&
    typeof r.refreshToken === 'string' &&
    typeof r.expiresAt === 'string'
  );
};

function readStore(env: Env): Store {
  let text: string;
  try {
    text = readFileSync(credentialsPath(env), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {}; // a damaged file is as good as none: the next login rewrites it
  }
  const store: Store = {};
  if (typeof parsed === 'object' && parsed !== null) {
    for (const [key, value] of Object.entries(parsed)) if (isCredentials(value)) store[key] = value;
  }
  return store;
}

function writeStore(env: Env, store: Store): void {
  writePrivateFile(credentialsPath(env), JSON.stringify(store, null, 2) + '\n');
}

export function loadCredentials(server: string, env: Env): Credentials | null {
  return readStore(env)[serverKey(server)] ?? null;
}

export function saveCredentials(server: string, creds: Credentials, env: Env): void {
  const store = readStore(env);
  store[serverKey(server)] = {
    email: creds.email,
    accessToken: creds.accessToken,
    refreshToken: creds.refreshToken,
    expiresAt: creds.expiresAt,
  };
  writeStore(env, store);
}

/** Forgets the tokens of one server; true when there were any. */
export function clearCredentials(server: string, env: Env): boolean {
  const store = readStore(env);
  const key = serverKey(server);
  if (!(key in store)) return false;
  delete store[key];
  writeStore(env, store);
  return true;
}
