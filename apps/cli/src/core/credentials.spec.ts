import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  clearCredentials,
  credentialsPath,
  loadCredentials,
  saveCredentials,
  serverKey,
} from './credentials.ts';

const dir = mkdtempSync(join(tmpdir(), 'sx-creds-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const env = { SHAREXPRESS_CONFIG_DIR: dir };
const creds = (email: string) => ({
  email,
  accessToken: `access-${email}`,
  refreshToken: `refresh-${email}`,
  expiresAt: '2030-01-01T00:00:00.000Z',
});

test('tokens are kept per server, in credentials.json with mode 0600', () => {
  saveCredentials('http://localhost:3000', creds('a@example.com'), env);
  saveCredentials('https://share.example.com', creds('b@example.com'), env);
  assert.equal(loadCredentials('http://localhost:3000', env)?.email, 'a@example.com');
  assert.equal(loadCredentials('https://share.example.com', env)?.email, 'b@example.com');
  assert.equal(loadCredentials('http://localhost:4000', env), null);
  assert.equal(credentialsPath(env), join(dir, 'credentials.json'));
  if (process.platform !== 'win32') {
    assert.equal(statSync(credentialsPath(env)).mode & 0o777, 0o600);
  }
});

test('one server, one entry, however its URL is spelled', () => {
  assert.equal(serverKey('HTTP://LocalHost:3000/'), 'http://localhost:3000');
  saveCredentials('http://LOCALHOST:3000/', creds('c@example.com'), env);
  assert.equal(loadCredentials('http://localhost:3000', env)?.email, 'c@example.com');
});

test('clearing forgets one server only', () => {
  assert.equal(clearCredentials('http://localhost:3000', env), true);
  assert.equal(clearCredentials('http://localhost:3000', env), false);
  assert.equal(loadCredentials('http://localhost:3000', env), null);
  assert.equal(loadCredentials('https://share.example.com', env)?.email, 'b@example.com');
  const stored = JSON.parse(readFileSync(credentialsPath(env), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(Object.keys(stored), ['https://share.example.com']);
});

test('a damaged file reads as signed out, and the next login rewrites it', () => {
  writeFileSync(credentialsPath(env), '{not json');
  assert.equal(loadCredentials('https://share.example.com', env), null);
  saveCredentials('https://share.example.com', creds('d@example.com'), env);
  assert.equal(loadCredentials('https://share.example.com', env)?.email, 'd@example.com');
});
