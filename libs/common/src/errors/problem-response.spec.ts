import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_PROBLEM_ERRORS, problemBody } from './problem-response.js';
import type { MappedProblem } from './to-problem.js';

const validation = (count: number, field = (i: number) => `f${String(i)}`): MappedProblem => ({
  status: 400,
  code: 'VALIDATION_FAILED',
  detail: 'The request is invalid.',
  errors: Array.from({ length: count }, (_, i) => ({ field: field(i), message: 'is wrong' })),
  serverFault: false,
});

describe('problemBody', () => {
  it('sends every field error up to the cap, with no count', () => {
    const body = problemBody(validation(MAX_PROBLEM_ERRORS), 'r');
    assert.equal(body.errors?.length, MAX_PROBLEM_ERRORS);
    assert.equal('errorsOmitted' in body, false);
  });

  it('sends the first 20 entries of more and counts the rest', () => {
    const body = problemBody(validation(6000), 'r');
    assert.equal(MAX_PROBLEM_ERRORS, 20);
    assert.deepEqual(
      body.errors?.map((e) => e.field),
      Array.from({ length: 20 }, (_, i) => `f${String(i)}`),
    );
    assert.equal(body.errorsOmitted, 5980);
  });

  it('cuts a huge field or message, never inside a surrogate pair', () => {
    const body = problemBody(
      validation(1, () => `${'k'.repeat(199)}😀${'k'.repeat(9000)}`),
      'r',
    );
    const field = body.errors?.[0]?.field ?? '';
    assert.ok(field.length <= 201, String(field.length));
    assert.ok(field.endsWith('…'));
    // A lone surrogate would not survive UTF-8.
    assert.equal(Buffer.from(field).toString(), field);
  });
});
