import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BadRequestException,
  ForbiddenException,
  HttpException,
  NotFoundException,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { AppError } from './app-error.js';
import { routeNotFound, toProblem } from './to-problem.js';

// The shape Fastify's own errors have (FastifyError from @fastify/error).
const fastifyError = (code: string, statusCode: number, message = 'fastify says no') =>
  Object.assign(new Error(message), { code, statusCode });

// How Nest's Fastify adapter hands a < 500 FastifyError to the filters.
const wrapped = (err: Error & { statusCode: number }) =>
  new HttpException(err.message, err.statusCode, { cause: err });

describe('toProblem', () => {
  it('maps AppError codes through ERROR_STATUS, keeping detail, errors and Retry-After', () => {
    const errors = [{ field: 'email', message: 'email must be an email' }];
    assert.deepEqual(toProblem(new AppError('VALIDATION_FAILED', 'Bad input.', { errors })), {
      status: 400,
      code: 'VALIDATION_FAILED',
      detail: 'Bad input.',
      errors,
      retryAfterSeconds: undefined,
      extensions: undefined,
      serverFault: false,
    });
    const pending = toProblem(
      new AppError('SLOW_DOWN', 'Slower.', { extensions: { interval: 10 } }),
    );
    assert.deepEqual(pending.extensions, { interval: 10 });
    const limited = toProblem(new AppError('RATE_LIMITED', 'Slow down.', { retryAfterSeconds: 7 }));
    assert.equal(limited.status, 429);
    assert.equal(limited.retryAfterSeconds, 7);
    const storage = toProblem(new AppError('STORAGE_UNAVAILABLE', 'Storage is down.'));
    assert.deepEqual([storage.status, storage.serverFault], [503, false]);
    assert.equal(toProblem(new AppError('SESSION_EXPIRED', 'x')).status, 410);
  });

  it('hides the message of an INTERNAL AppError', () => {
    const problem = toProblem(new AppError('INTERNAL', 'mongo at 10.0.0.5 refused'));
    assert.equal(problem.status, 500);
    assert.equal(problem.serverFault, true);
    assert.doesNotMatch(problem.detail, /10\.0\.0\.5/);
  });

  for (const [code, status, expected] of [
    ['FST_ERR_CTP_INVALID_JSON_BODY', 400, 'BAD_REQUEST'],
    ['FST_ERR_CTP_EMPTY_JSON_BODY', 400, 'BAD_REQUEST'],
    ['FST_ERR_CTP_BODY_TOO_LARGE', 413, 'PAYLOAD_TOO_LARGE'],
    ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['FST_ERR_SOMETHING_NEW', 404, 'NOT_FOUND'],
  ] as const) {
    it(`maps Fastify's ${code} to ${String(status)} ${expected}, raw or wrapped by Nest`, () => {
      for (const err of [fastifyError(code, status), wrapped(fastifyError(code, status))]) {
        const problem = toProblem(err);
        assert.equal(problem.status, status);
        assert.equal(problem.code, expected);
        assert.equal(problem.serverFault, false);
      }
    });
  }

  it('treats a 5xx Fastify error as a server fault without its message', () => {
    const problem = toProblem(fastifyError('FST_ERR_HANDLER_TIMEOUT', 500, 'handler timed out'));
    assert.deepEqual([problem.status, problem.code, problem.serverFault], [500, 'INTERNAL', true]);
    assert.doesNotMatch(problem.detail, /timed out/);
  });

  it('maps Nest HttpExceptions by status', () => {
    const cases: [HttpException, number, string][] = [
      [new UnauthorizedException(), 401, 'UNAUTHENTICATED'],
      [new ForbiddenException('not yours'), 403, 'FORBIDDEN'],
      [new NotFoundException('Cannot GET /x'), 404, 'NOT_FOUND'],
      [new HttpException('Too Many Requests', 429), 429, 'RATE_LIMITED'],
      [new HttpException('teapot', 418), 418, 'BAD_REQUEST'],
      [new ServiceUnavailableException(), 503, 'SERVICE_UNAVAILABLE'],
      [new HttpException('boom', 502), 502, 'INTERNAL'],
    ];
    for (const [exception, status, code] of cases) {
      const problem = toProblem(exception);
      assert.deepEqual([problem.status, problem.code], [status, code], exception.message);
    }
    assert.equal(toProblem(new ForbiddenException('not yours')).detail, 'not yours');
    assert.equal(toProblem(new HttpException('boom', 502)).serverFault, true);
  });

  it('turns a default ValidationPipe message list into field errors', () => {
    const problem = toProblem(
      new BadRequestException(['property foo should not exist', 'email must be an email']),
    );
    assert.equal(problem.code, 'VALIDATION_FAILED');
    assert.deepEqual(problem.errors, [
      { field: 'foo', message: 'property foo should not exist' },
      { field: 'email', message: 'email must be an email' },
    ]);
  });

  it('answers unknown errors with a bare 500 INTERNAL', () => {
    for (const thrown of [new TypeError('x is undefined at /srv/app.js:12'), 'a string', null]) {
      const problem = toProblem(thrown);
      assert.deepEqual(
        [problem.status, problem.code, problem.serverFault],
        [500, 'INTERNAL', true],
      );
      assert.equal(problem.detail, 'An unexpected error occurred.');
    }
  });

  it('answers an unreachable MongoDB with 503 DATABASE_UNAVAILABLE and Retry-After, not a 500', () => {
    const named = (name: string, message = 'connect ECONNREFUSED 127.0.0.1:27017') =>
      Object.assign(new Error(message), { name });
    for (const error of [
      named('MongoServerSelectionError'),
      named('MongoNetworkError'),
      named('MongoPoolClearedError'),
      named('MongooseError', 'Operation `users.findOne()` buffering timed out after 10000ms'),
      new Error('lookup failed', { cause: named('MongoNetworkTimeoutError') }),
    ]) {
      const problem = toProblem(error);
      assert.equal(problem.status, 503, error.name);
      assert.equal(problem.code, 'DATABASE_UNAVAILABLE');
      assert.equal(problem.retryAfterSeconds, 5);
      assert.equal(problem.serverFault, false);
      assert.doesNotMatch(problem.detail, /ECONNREFUSED|27017/);
    }
    // A query bug is still a 500: only connectivity errors are outages.
    assert.equal(toProblem(named('MongoServerError', 'unknown operator: $foo')).status, 500);
    assert.equal(toProblem(named('MongooseError', 'Cast to ObjectId failed')).status, 500);
  });

  it("never echoes the URL from Fastify's own URL errors", () => {
    const bad = toProblem(
      fastifyError('FST_ERR_BAD_URL', 400, "'/x?token=t-1' is not a valid url"),
    );
    assert.deepEqual([bad.status, bad.code], [400, 'BAD_REQUEST']);
    const long = toProblem(fastifyError('FST_ERR_MAX_PARAM_LENGTH', 414, "'/x/aaaa' is too long"));
    assert.deepEqual([long.status, long.code], [414, 'URI_TOO_LONG']);
    assert.doesNotMatch(bad.detail + long.detail, /t-1|aaaa/);
  });

  it('answers a client that hung up mid-request as a client error, not a server fault', () => {
    const reset = Object.assign(new Error('aborted'), { code: 'ECONNRESET', statusCode: 400 });
    const premature = Object.assign(new Error('Premature close'), {
      code: 'ERR_STREAM_PREMATURE_CLOSE',
    });
    for (const err of [reset, premature, new HttpException('aborted', 400, { cause: reset })]) {
      const problem = toProblem(err);
      assert.deepEqual(
        [problem.status, problem.serverFault, problem.clientGone],
        [400, false, true],
      );
    }
  });
});

describe('routeNotFound', () => {
  it('is 405 when the path exists with other methods, else 404', () => {
    assert.deepEqual(routeNotFound('PUT', '/v1/auth/login', ['POST']), {
      status: 405,
      code: 'METHOD_NOT_ALLOWED',
      detail: '/v1/auth/login does not accept PUT; see Allow.',
      serverFault: false,
    });
    assert.equal(routeNotFound('GET', '/nothing', []).status, 404);
    // A route for this very method passed the request on (a static file that is not there).
    assert.equal(routeNotFound('GET', '/docs/x.js', ['GET', 'HEAD']).status, 404);
  });

  it('repeats the path, cut short, and never the query string', () => {
    const problem = routeNotFound('GET', `/${'a'.repeat(500)}?token=q-1`, []);
    assert.doesNotMatch(problem.detail, /q-1|\?/);
    assert.ok(problem.detail.length < 160, problem.detail);
  });
});
