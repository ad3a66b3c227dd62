import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EXIT, networkError, problemError } from './errors.ts';

describe('problemError', () => {
  const cases: Array<[number, string, number]> = [
    [401, 'UNAUTHENTICATED', EXIT.AUTH],
    [403, 'FORBIDDEN', EXIT.FAILURE],
    [404, 'NOT_FOUND', EXIT.NOT_FOUND],
    [409, 'CONFLICT', EXIT.FAILURE],
    [409, 'UPLOAD_INCOMPLETE', EXIT.FAILURE],
    [410, 'SESSION_EXPIRED', EXIT.GONE],
    [410, 'DOWNLOAD_LIMIT_REACHED', EXIT.GONE],
    [410, 'GONE', EXIT.GONE],
    [413, 'PAYLOAD_TOO_LARGE', EXIT.FAILURE],
    [415, 'UNSUPPORTED_MEDIA_TYPE', EXIT.FAILURE],
    [422, 'INTEGRITY_MISMATCH', EXIT.INTEGRITY],
    [429, 'RATE_LIMITED', EXIT.LIMITED],
    [429, 'QUOTA_EXCEEDED', EXIT.LIMITED],
    [429, 'TOO_MANY_STREAMS', EXIT.LIMITED],
    [503, 'STORAGE_UNAVAILABLE', EXIT.UNAVAILABLE],
    [400, 'VALIDATION_FAILED', EXIT.FAILURE],
    [500, 'INTERNAL', EXIT.FAILURE],
  ];
  for (const [status, code, exit] of cases) {
    test(`${status} ${code} → exit ${exit}, a sentence of its own`, () => {
      const err = problemError(status, { code, detail: 'Some detail.' });
      assert.equal(err.exitCode, exit);
      assert.equal(err.code, code);
      assert.match(err.message, /^[A-Z].*[.)]$/s);
      assert.doesNotMatch(err.message, /undefined|\[object/);
    });
  }

  test('every known code reads differently', () => {
    const messages = new Set(cases.map(([s, code]) => problemError(s, { code }).message));
    assert.equal(messages.size, cases.length);
  });

  test('UNAUTHENTICATED tells the user to log in', () => {
    assert.match(problemError(401, { code: 'UNAUTHENTICATED' }).message, /sharexpress login/);
  });

  test('keeps Retry-After on the error, so a poll can wait exactly that long', () => {
    assert.equal(problemError(429, { code: 'RATE_LIMITED', retryAfter: 42 }).retryAfter, 42);
    assert.equal(problemError(429, { code: 'RATE_LIMITED' }).retryAfter, undefined);
  });

  test('Retry-After is said in words for limits and outages', () => {
    assert.match(problemError(429, { code: 'RATE_LIMITED', retryAfter: 42 }).message, /in 42 s/);
    assert.match(
      problemError(429, { code: 'QUOTA_EXCEEDED', retryAfter: 3 * 3600 + 60 }).message,
      /quota.*in 3 h 1 min/,
    );
    assert.match(
      problemError(503, { code: 'STORAGE_UNAVAILABLE', retryAfter: 5 }).message,
      /in 5 s/,
    );
    assert.match(problemError(429, { code: 'RATE_LIMITED' }).message, /later/);
  });

  test('VALIDATION_FAILED names each field', () => {
    const err = problemError(400, {
      code: 'VALIDATION_FAILED',
      errors: [
        { field: 'ttlSeconds', message: 'must not be greater than 604800' },
        { field: 'name', message: 'too long' },
      ],
      errorsOmitted: 2,
    });
    assert.match(
      err.message,
      /ttlSeconds: must not be greater than 604800; name: too long; and 2 more/,
    );
  });

  test('INTEGRITY_MISMATCH carries its detail', () => {
    const err = problemError(422, { code: 'INTEGRITY_MISMATCH', detail: 'SHA-256 differs.' });
    assert.match(err.message, /SHA-256 differs/);
  });

  test('an unknown code falls back on the status', () => {
    assert.equal(problemError(404, {}).exitCode, EXIT.NOT_FOUND);
    assert.equal(problemError(410, { code: 'SOMETHING_NEW' }).exitCode, EXIT.GONE);
    assert.equal(problemError(418, { code: 'TEAPOT' }).exitCode, EXIT.FAILURE);
    assert.match(problemError(418, { code: 'TEAPOT' }).message, /HTTP 418 TEAPOT/);
  });

  test('a server fault quotes the request id, to report it', () => {
    assert.match(problemError(500, { code: 'INTERNAL', requestId: 'req-1' }).message, /req-1/);
  });
});

test('networkError: "cannot reach <server>", exit 8, with the cause', () => {
  const cause = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  const err = networkError('http://localhost:1', new TypeError('fetch failed', { cause }));
  assert.equal(err.exitCode, EXIT.UNAVAILABLE);
  assert.match(err.message, /^Cannot reach http:\/\/localhost:1 \(ECONNREFUSED\)/);
  assert.match(err.message, /SHAREXPRESS_URL/);
});
