// Regression tests for issue 10 ("what a hostile client found"), findings 1, 4, 5 and the 404,
// 405 and client-abort parts of 7. Each case failed on the code before the fix.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { LoggerService } from '@nestjs/common';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { rawRequest } from '../fuzz/raw-http.js';
import { expectProblem, type ProblemBody } from './problem-assert.js';

type Level = 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';

// Stands in for pino as the Nest logger, so a case can see what was logged at which level.
class SpyLogger implements LoggerService {
  readonly lines: { level: Level; args: unknown[] }[] = [];
  private record(level: Level, args: unknown[]): void {
    this.lines.push({ level, args });
  }
  log(...args: unknown[]): void {
    this.record('log', args);
  }
  error(...args: unknown[]): void {
    this.record('error', args);
  }
  warn(...args: unknown[]): void {
    this.record('warn', args);
  }
  debug(...args: unknown[]): void {
    this.record('debug', args);
  }
  verbose(...args: unknown[]): void {
    this.record('verbose', args);
  }
  fatal(...args: unknown[]): void {
    this.record('fatal', args);
  }
  severe(): string[] {
    return this.lines
      .filter((line) => line.level === 'error' || line.level === 'fatal')
      .map((line) => JSON.stringify(line.args).slice(0, 300));
  }
}

const nested = (open: string, close: string, depth: number, inner = ''): string =>
  open.repeat(depth) + inner + close.repeat(depth);

describe('hardening: hostile requests get a small, coded problem+json, never a 500', () => {
  let t: TestApp;
  let port: number;
  let postPaths: string[];
  const spy = new SpyLogger();

  const post = (path: string, body: string): Promise<Response> =>
    fetch(`${t.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });

  before(async () => {
    t = await startTestApp({ env: { RATE_LIMIT_MAX: '100000', RATE_LIMIT_AUTH_MAX: '100000' } });
    port = Number(new URL(t.baseUrl).port);
    t.app.useLogger(spy);
    const doc = (await (await fetch(`${t.baseUrl}/docs-json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    postPaths = Object.entries(doc.paths)
      .filter(([, item]) => 'post' in item)
      .map(([path]) => path);
    assert.ok(postPaths.includes('/v1/auth/refresh'));
  });
  after(async () => {
    await t.close();
  });

  describe('finding 1: nesting is bounded while parsing, before validation', () => {
    it('1500 nested arrays → 400 BODY_TOO_COMPLEX on every POST route, nothing logged as an error', async () => {
      const before = spy.severe().length;
      const body = `{"refreshToken":"x","x":${nested('[', ']', 1500)}}`;
      for (const path of postPaths) {
        const problem = await expectProblem(await post(path, body), 400, 'BODY_TOO_COMPLEX');
        assert.match(problem.detail, /nest/i, path);
      }
      assert.deepEqual(spy.severe().slice(before), []);
    });

    it('deep objects, and one level over the limit, are refused the same way', async () => {
      for (const body of [
        `{"refreshToken":"x","x":${nested('{"a":', '}', 1500, '1')}}`,
        `{"refreshToken":"x","x":${nested('[', ']', 32)}}`, // 33 levels with the outer object
        `${nested('[', ']', 10_000)}`,
      ]) {
        await expectProblem(await post('/v1/auth/refresh', body), 400, 'BODY_TOO_COMPLEX');
      }
    });

    it('nesting within the limit still reaches validation', async () => {
      const body = `{"refreshToken":"x","x":${nested('[', ']', 31)}}`;
      const problem = await expectProblem(
        await post('/v1/auth/refresh', body),
        400,
        'VALIDATION_FAILED',
      );
      assert.deepEqual(
        problem.errors?.map((e) => e.field),
        ['x'],
      );
    });
  });

  describe('finding 4: error bodies do not amplify', () => {
    it('6,000 unknown keys → 400 BODY_TOO_COMPLEX with a small body', async () => {
      const body = JSON.stringify(
        Object.fromEntries(Array.from({ length: 6000 }, (_, i) => [`k${String(i)}`, 1])),
      );
      const res = await post('/v1/auth/refresh', body);
      const text = await res.clone().text();
      await expectProblem(res, 400, 'BODY_TOO_COMPLEX');
      assert.ok(text.length < 1024, `${String(text.length)} bytes`);
    });

    it('a 40 KB array → a small 400', async () => {
      const body = `[${Array.from({ length: 20_000 }, () => '1').join(',')}]`;
      const res = await post('/v1/auth/refresh', body);
      const text = await res.clone().text();
      await expectProblem(res, 400, 'BODY_TOO_COMPLEX');
      assert.ok(text.length < 1024, `${String(text.length)} bytes`);
    });

    it('errors[] holds at most 20 entries and counts the rest in errorsOmitted', async () => {
      const keys = Array.from({ length: 100 }, (_, i) => [`k${String(i)}`, 1]);
      const res = await post(
        '/v1/auth/logout',
        JSON.stringify({ refreshToken: 'x', ...Object.fromEntries(keys) }),
      );
      const problem = (await expectProblem(res, 400, 'VALIDATION_FAILED')) as ProblemBody & {
        errorsOmitted?: number;
      };
      assert.equal(problem.errors?.length, 20);
      assert.equal(problem.errorsOmitted, 80);
      assert.deepEqual(problem.errors[0], {
        field: 'k0',
        message: 'property k0 should not exist',
      });
    });

    it('an error entry never carries a huge key back', async () => {
      const key = 'k'.repeat(30_000);
      const res = await post('/v1/auth/logout', JSON.stringify({ refreshToken: 'x', [key]: 1 }));
      const text = await res.clone().text();
      await expectProblem(res, 400, 'VALIDATION_FAILED');
      assert.ok(text.length < 2048, `${String(text.length)} bytes`);
    });
  });

  describe('finding 5: errors the HTTP layer raises are problem+json with a request id', () => {
    const cases: [name: string, request: string, status: number, code: string][] = [
      [
        'a control character in a header value',
        'GET /health/live HTTP/1.1\r\nHost: x\r\nX-Bad: a\x01b\r\n\r\n',
        400,
        'BAD_REQUEST',
      ],
      [
        'Content-Length together with Transfer-Encoding',
        'POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
          'Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
        400,
        'BAD_REQUEST',
      ],
      ['an unknown method', 'FOO /health/live HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'BAD_REQUEST'],
      [
        'headers above the limit',
        `GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
        431,
        'HEADERS_TOO_LARGE',
      ],
      ['an HTTP/1.1 request without Host', 'GET /health/live HTTP/1.1\r\n\r\n', 400, 'BAD_REQUEST'],
      [
        'an expectation the server cannot meet',
        'POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
          'Expect: bogus\r\nContent-Length: 2\r\n\r\n{}',
        417,
        'EXPECTATION_FAILED',
      ],
    ];
    for (const [name, request, status, code] of cases) {
      it(`${name} → ${String(status)} ${code}`, async () => {
        const res = await rawRequest(port, request);
        assert.equal(res.status, status, res.raw.slice(0, 300));
        assert.match(res.headers['content-type'] ?? '', /^application\/problem\+json/, res.raw);
        const requestId = res.headers['x-request-id'];
        assert.ok(requestId, `x-request-id in ${res.raw.slice(0, 300)}`);
        const body = JSON.parse(res.body) as ProblemBody;
        assert.deepEqual([body.status, body.code, body.requestId], [status, code, requestId]);
      });
    }

    it('HTTP/1.0 without Host is still served', async () => {
      const res = await rawRequest(port, 'GET /health/live HTTP/1.0\r\n\r\n');
      assert.equal(res.status, 200, res.raw);
    });
  });

  describe('finding 7: 405, 404 and client aborts', () => {
    it('a wrong method on a known path → 405 METHOD_NOT_ALLOWED with Allow', async () => {
      const put = await fetch(`${t.baseUrl}/v1/auth/login`, { method: 'PUT' });
      const allowPut = put.headers.get('allow') ?? '';
      await expectProblem(put, 405, 'METHOD_NOT_ALLOWED');
      assert.equal(allowPut, 'POST');

      const del = await fetch(`${t.baseUrl}/v1/auth/me`, { method: 'DELETE' });
      const allowDel = del.headers.get('allow') ?? '';
      await expectProblem(del, 405, 'METHOD_NOT_ALLOWED');
      assert.deepEqual(allowDel.split(', ').sort(), ['GET', 'HEAD']);
    });

    it('a plain OPTIONS (not a CORS preflight) is a 405 too, and Allow never lists OPTIONS', async () => {
      const res = await fetch(`${t.baseUrl}/v1/auth/login`, { method: 'OPTIONS' });
      assert.equal(res.headers.get('allow'), 'POST');
      await expectProblem(res, 405, 'METHOD_NOT_ALLOWED');
    });

    it('a route that passes a request on to the 404 handler gives 404, not 405', async () => {
      // Swagger UI's static files: GET /docs/* exists, this file does not.
      const res = await fetch(`${t.baseUrl}/docs/no-such-file.js`);
      assert.equal(res.headers.get('allow'), null);
      await expectProblem(res, 404, 'NOT_FOUND');
    });

    it('an unknown path stays 404, whatever the method', async () => {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const res = await fetch(`${t.baseUrl}/v1/no-such-thing`, { method });
        assert.equal(res.headers.get('allow'), null);
        await expectProblem(res, 404, 'NOT_FOUND');
      }
    });

    it("a 404's detail does not echo the query string", async () => {
      const res = await fetch(`${t.baseUrl}/v1/no-such-thing?token=s3cr3t-value`);
      const problem = await expectProblem(res, 404, 'NOT_FOUND');
      assert.doesNotMatch(JSON.stringify(problem), /s3cr3t|\?/);
      assert.match(problem.detail, /\/v1\/no-such-thing/);
    });

    it('a client that hangs up mid-body is not logged as an error', async () => {
      const before = spy.lines.length;
      await new Promise<void>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.write(
            'POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
              'Content-Length: 100\r\n\r\n{"email":',
          );
          setTimeout(() => {
            socket.resetAndDestroy();
            resolve();
          }, 200);
        });
        socket.on('error', reject);
      });
      // The server notices the reset asynchronously.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const after = spy.lines.slice(before);
      assert.deepEqual(
        after.filter((l) => l.level === 'error' || l.level === 'fatal' || l.level === 'warn'),
        [],
      );
      // The server still answers normally afterwards.
      assert.equal((await fetch(`${t.baseUrl}/health/live`)).status, 200);
    });
  });
});
