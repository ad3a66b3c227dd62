import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiError } from './client';
import { inTime, userMessage } from './messages';
import type { Problem } from './types';

function problem(status: number, code: string, extra: Partial<Problem> = {}): Problem {
  return {
    type: `https://sharexpress.dev/problems/${code.toLowerCase()}`,
    title: code,
    status,
    detail: '',
    code,
    requestId: 'req-7f3a',
    ...extra,
  };
}

function apiError(
  status: number,
  code: string,
  extra: Partial<Problem> = {},
  retryAfter?: number,
): ApiError {
  return new ApiError(status, code, `${code} message`, problem(status, code, extra), retryAfter);
}

// Every code the API documents (docs/api.md, "Errors") and the contract lists.
const CODES: Array<[number, string]> = [
  [410, 'SESSION_EXPIRED'],
  [429, 'QUOTA_EXCEEDED'],
  [429, 'RATE_LIMITED'],
  [429, 'LOGIN_DELAYED'],
  [503, 'STORAGE_UNAVAILABLE'],
  [422, 'INTEGRITY_MISMATCH'],
  [410, 'DOWNLOAD_LIMIT_REACHED'],
  [413, 'PAYLOAD_TOO_LARGE'],
  [415, 'UNSUPPORTED_MEDIA_TYPE'],
  [409, 'UPLOAD_INCOMPLETE'],
  [409, 'CONFLICT'],
  [404, 'NOT_FOUND'],
  [403, 'FORBIDDEN'],
  [401, 'UNAUTHENTICATED'],
  [400, 'VALIDATION_FAILED'],
  [429, 'TOO_MANY_STREAMS'],
  [410, 'GONE'],
  [503, 'SERVICE_UNAVAILABLE'],
  [503, 'DATABASE_UNAVAILABLE'],
  [503, 'CREDENTIALS_BUSY'],
];

describe('userMessage', () => {
  test('every API error code reads as its own full sentence, not the raw code', () => {
    const seen = new Map<string, string>();
    for (const [status, code] of CODES) {
      const text = userMessage(apiError(status, code));
      assert.match(text, /^[A-Z].*[.!?)]$/, `${code}: a sentence`);
      assert.ok(!text.includes(code), `${code}: no raw code in "${text}"`);
      seen.set(text, code);
    }
    // Codes that mean the same to a user may share a text (the three "busy" ones); others not.
    assert.ok(seen.size >= CODES.length - 2, 'distinct messages');
  });

  test('rate limits say when to try again, from Retry-After', () => {
    assert.equal(
      userMessage(apiError(429, 'RATE_LIMITED', {}, 30)),
      'Too many requests. Try again in 30 seconds.',
    );
    assert.match(userMessage(apiError(429, 'RATE_LIMITED', {}, 1)), /in 1 second\./);
    assert.match(userMessage(apiError(429, 'LOGIN_DELAYED', {}, 300)), /in 5 minutes\./);
    assert.match(userMessage(apiError(429, 'TOO_MANY_STREAMS', {}, 10)), /in 10 seconds\./);
    assert.match(userMessage(apiError(503, 'STORAGE_UNAVAILABLE')), /Try again/);
    // Without Retry-After: no made-up time.
    assert.equal(
      userMessage(apiError(429, 'RATE_LIMITED')),
      'Too many requests. Try again in a moment.',
    );
  });

  test('a used-up quota names when uploads work again (or tomorrow, UTC)', () => {
    const text = userMessage(apiError(429, 'QUOTA_EXCEEDED', {}, 3 * 3600 + 25 * 60));
    assert.match(text, /quota/);
    assert.match(text, /Uploads work again in 3 hours 25 minutes\./);
    assert.match(userMessage(apiError(429, 'QUOTA_EXCEEDED')), /tomorrow \(UTC\)/);
  });

  test('integrity and size errors keep the server detail', () => {
    const detail = 'The SHA-256 of part 3 is not the declared one';
    const text = userMessage(apiError(422, 'INTEGRITY_MISMATCH', { detail }));
    assert.match(text, /rejected/);
    assert.ok(text.endsWith(`${detail}.`), text);
    assert.match(
      userMessage(apiError(413, 'PAYLOAD_TOO_LARGE', { detail: 'The limit is 2 GB.' })),
      /too large.*The limit is 2 GB\.$/,
    );
  });

  test('VALIDATION_FAILED lists each field with its message', () => {
    const text = userMessage(
      apiError(400, 'VALIDATION_FAILED', {
        errors: [
          { field: 'email', message: 'must be an email address' },
          { field: 'password', message: 'must be at least 12 characters' },
        ],
      }),
    );
    assert.equal(
      text,
      'Please check: email: must be an email address; password: must be at least 12 characters.',
    );
    assert.equal(
      userMessage(apiError(400, 'VALIDATION_FAILED', { detail: 'Unexpected body' })),
      'Some values are not valid. Unexpected body.',
    );
  });

  test('an unknown code shows the server detail and the request id to quote', () => {
    const text = userMessage(
      apiError(418, 'TEAPOT', { detail: 'This server brews tea only', requestId: 'req-42' }),
    );
    assert.equal(text, 'This server brews tea only. (Request id req-42.)');
    // An empty detail is no message: the error's own text stands in.
    assert.equal(
      userMessage(apiError(418, 'TEAPOT', { detail: '', requestId: 'req-43' })),
      'TEAPOT message. (Request id req-43.)',
    );
  });

  test('a network failure says the server could not be reached', () => {
    assert.match(
      userMessage(new ApiError(0, 'NETWORK', 'Failed to fetch')),
      /could not be reached.*connection/,
    );
  });

  test('other failures: a cancelled action, or a plain error as a sentence', () => {
    assert.equal(userMessage(new DOMException('stop', 'AbortError')), 'Cancelled.');
    assert.equal(userMessage(new Error('disk is full')), 'Something went wrong: disk is full.');
  });
});

describe('inTime', () => {
  test('reads seconds, minutes and hours as a person would say them', () => {
    assert.equal(inTime(0), 'in 1 second');
    assert.equal(inTime(45), 'in 45 seconds');
    assert.equal(inTime(89), 'in 89 seconds');
    assert.equal(inTime(90), 'in 2 minutes');
    assert.equal(inTime(59 * 60), 'in 59 minutes');
    assert.equal(inTime(3600), 'in 1 hour');
    assert.equal(inTime(3600 + 60), 'in 1 hour 1 minute');
    assert.equal(inTime(2 * 3600 + 5 * 60), 'in 2 hours 5 minutes');
  });
});
