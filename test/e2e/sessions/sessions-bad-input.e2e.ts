import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newPublicId } from '@app/common';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { signUp } from '../auth/auth-client.js';
import { expectProblem } from '../http/problem-assert.js';
import {
  allActivity,
  call,
  createSession,
  expectJson,
  getSession,
  type SessionBody,
  type SessionPage,
} from './sessions-client.js';

interface Case {
  what: string;
  body: unknown;
  /** The field the problem must name, when it names one. */
  field?: string;
}

describe('sessions: bad input is a 400/404 problem with a stable code, and stores nothing', () => {
  let t: TestApp;

  before(async () => {
    t = await startTestApp({ env: { RATE_LIMIT_AUTH_MAX: '1000', RATE_LIMIT_MAX: '100000' } });
  });
  after(async () => {
    await t.close();
  });

  const createCases = (): Case[] => {
    const max = t.config.sessions;
    return [
      { what: 'unknown field', body: { name: 'x', owner: 'me' }, field: 'owner' },
      { what: 'unknown limit', body: { limits: { maxSpeed: 1 } }, field: 'limits.maxSpeed' },
      { what: 'name not a string', body: { name: 5 }, field: 'name' },
      { what: 'empty name', body: { name: '   ' }, field: 'name' },
      { what: 'name too long', body: { name: 'x'.repeat(101) }, field: 'name' },
      { what: 'control character in name', body: { name: 'a\u0007b' }, field: 'name' },
      { what: 'ttlSeconds as a string', body: { ttlSeconds: '3600' }, field: 'ttlSeconds' },
      { what: 'ttlSeconds fractional', body: { ttlSeconds: 90.5 }, field: 'ttlSeconds' },
      {
        what: 'ttlSeconds below the minimum',
        body: { ttlSeconds: max.minTtlSeconds - 1 },
        field: 'ttlSeconds',
      },
      {
        what: 'ttlSeconds above the maximum',
        body: { ttlSeconds: max.maxTtlSeconds + 1 },
        field: 'ttlSeconds',
      },
      { what: 'ttlSeconds huge', body: { ttlSeconds: 1e300 }, field: 'ttlSeconds' },
      {
        what: 'maxDevices above the server maximum',
        body: { limits: { maxDevices: max.maxDevices + 1 } },
        field: 'limits.maxDevices',
      },
      {
        what: 'maxTotalBytes above the server maximum',
        body: { limits: { maxTotalBytes: max.maxTotalBytes + 1 } },
        field: 'limits.maxTotalBytes',
      },
      {
        what: 'maxDownloadsPerFile above the server maximum',
        body: { limits: { maxDownloadsPerFile: max.maxDownloadsPerFile + 1 } },
        field: 'limits.maxDownloadsPerFile',
      },
      { what: 'a zero limit', body: { limits: { maxFiles: 0 } }, field: 'limits.maxFiles' },
      {
        what: 'a negative limit',
        body: { limits: { maxFileBytes: -1 } },
        field: 'limits.maxFileBytes',
      },
      {
        what: 'a limit as a string',
        body: { limits: { maxFiles: '10' } },
        field: 'limits.maxFiles',
      },
      { what: 'limits not an object', body: { limits: 5 }, field: 'limits' },
      { what: 'limits an array', body: { limits: [1] }, field: 'limits' },
      {
        what: 'unknown permission',
        body: { guestPermissions: ['admin'] },
        field: 'guestPermissions',
      },
      {
        what: 'repeated permission',
        body: { guestPermissions: ['upload', 'upload'] },
        field: 'guestPermissions',
      },
      {
        what: 'permissions not an array',
        body: { guestPermissions: 'upload' },
        field: 'guestPermissions',
      },
      {
        what: 'requireApproval not a boolean',
        body: { requireApproval: 'yes' },
        field: 'requireApproval',
      },
      { what: 'operator object', body: { name: { $gt: '' } }, field: 'name' },
      { what: 'a JSON array body', body: [] },
      { what: 'a JSON string body', body: '"session"' },
      { what: 'malformed JSON', body: '{"name":' },
    ];
  };

  it('refuses every bad create body with 400 VALIDATION_FAILED and creates nothing', async () => {
    const token = (await signUp(t.baseUrl)).accessToken;
    for (const c of createCases()) {
      const res = await call(t.baseUrl, 'POST', '/v1/sessions', token, c.body);
      const problem = await expectProblem(
        res,
        400,
        c.what === 'malformed JSON' ? 'BAD_REQUEST' : 'VALIDATION_FAILED',
      ).catch((err: unknown) => {
        throw new Error(`${c.what}: ${(err as Error).message}`);
      });
      if (c.field !== undefined) {
        assert.ok(
          problem.errors?.some((e) => e.field === c.field),
          `${c.what}: names ${c.field} in ${JSON.stringify(problem.errors)}`,
        );
      }
    }
    const list = await expectJson<SessionPage>(
      await call(t.baseUrl, 'GET', '/v1/sessions', token),
      200,
    );
    assert.deepEqual(list.items, []);
  });

  it('refuses bad changes with 400 and leaves the session as it was', async () => {
    const token = (await signUp(t.baseUrl)).accessToken;
    const session = await createSession(t.baseUrl, token, { name: 'Kept' });
    const path = `/v1/sessions/${session.id}`;
    const cases: Case[] = [
      { what: 'empty body', body: {} },
      { what: 'only nulls', body: { name: null, ttlSeconds: null } },
      { what: 'unknown field', body: { status: 'active' }, field: 'status' },
      { what: 'limits are fixed', body: { limits: { maxDevices: 1 } }, field: 'limits' },
      { what: 'ttlSeconds as a string', body: { ttlSeconds: '60' }, field: 'ttlSeconds' },
      { what: 'ttlSeconds zero', body: { ttlSeconds: 0 }, field: 'ttlSeconds' },
      {
        what: 'ttlSeconds above the maximum',
        body: { ttlSeconds: t.config.sessions.maxTtlSeconds + 1 },
        field: 'ttlSeconds',
      },
      { what: 'name too long', body: { name: 'y'.repeat(101) }, field: 'name' },
      { what: 'a JSON array body', body: [{ name: 'x' }] },
    ];
    for (const c of cases) {
      const problem = await expectProblem(
        await call(t.baseUrl, 'PATCH', path, token, c.body),
        400,
        'VALIDATION_FAILED',
      ).catch((err: unknown) => {
        throw new Error(`${c.what}: ${(err as Error).message}`);
      });
      if (c.field !== undefined) {
        assert.ok(
          problem.errors?.some((e) => e.field === c.field),
          `${c.what}: names ${c.field} in ${JSON.stringify(problem.errors)}`,
        );
      }
    }
    assert.deepEqual(await getSession(t.baseUrl, token, session.id), session);
    assert.equal((await allActivity(t.baseUrl, token, session.id)).length, 1);
  });

  it('answers 404 NOT_FOUND for malformed and unknown session ids on every route', async () => {
    const token = (await signUp(t.baseUrl)).accessToken;
    const ids = [
      'not-a-session',
      'aaaaaaaaaaaaaaaaaaaaaaaa', // an ObjectId's shape
      `${newPublicId()}x`,
      encodeURIComponent('../../etc/passwd'),
      encodeURIComponent('{"$ne":null}'),
      newPublicId(),
    ];
    for (const id of ids) {
      const path = `/v1/sessions/${id}`;
      for (const res of [
        await call(t.baseUrl, 'GET', path, token),
        await call(t.baseUrl, 'PATCH', path, token, { name: 'x' }),
        await call(t.baseUrl, 'DELETE', path, token),
        await call(t.baseUrl, 'GET', `${path}/activity`, token),
      ]) {
        await expectProblem(res, 404, 'NOT_FOUND');
      }
    }
  });

  it('refuses bad list and activity queries with 400 VALIDATION_FAILED', async () => {
    const token = (await signUp(t.baseUrl)).accessToken;
    const session: SessionBody = await createSession(t.baseUrl, token);
    const queries = [
      ['/v1/sessions?limit=0', 'limit'],
      ['/v1/sessions?limit=101', 'limit'],
      ['/v1/sessions?limit=abc', 'limit'],
      ['/v1/sessions?limit=1.5', 'limit'],
      ['/v1/sessions?limit=-1', 'limit'],
      ['/v1/sessions?limit=1&limit=2', 'limit'],
      ['/v1/sessions?cursor=', 'cursor'],
      ['/v1/sessions?cursor=not-a-cursor', 'cursor'],
      [`/v1/sessions?cursor=${'A'.repeat(600)}`, 'cursor'],
      ['/v1/sessions?sort=name', 'sort'],
      [`/v1/sessions/${session.id}/activity?after=-1`, 'after'],
      [`/v1/sessions/${session.id}/activity?after=abc`, 'after'],
      [`/v1/sessions/${session.id}/activity?after=1e3`, 'after'],
      [`/v1/sessions/${session.id}/activity?after=${'9'.repeat(20)}`, 'after'],
      [`/v1/sessions/${session.id}/activity?limit=0`, 'limit'],
      [`/v1/sessions/${session.id}/activity?limit=101`, 'limit'],
      [`/v1/sessions/${session.id}/activity?cursor=x`, 'cursor'],
      [`/v1/sessions/${session.id}/activity?after=1&cursor=2`, 'cursor'],
    ] as const;
    for (const [url, field] of queries) {
      const problem = await expectProblem(
        await call(t.baseUrl, 'GET', url, token),
        400,
        'VALIDATION_FAILED',
      ).catch((err: unknown) => {
        throw new Error(`${url}: ${(err as Error).message}`);
      });
      assert.ok(
        problem.errors?.some((e) => e.field === field),
        `${url}: names ${field} in ${JSON.stringify(problem.errors)}`,
      );
    }
  });
});
