import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { strayErrorProblem } from './stray-error.js';

const codeOf = (body: string | undefined): string =>
  (JSON.parse(body ?? '{}') as { code: string }).code;

describe('strayErrorProblem', () => {
  it('turns an error in another format (or none) into problem+json', () => {
    const cors = strayErrorProblem(
      400,
      'text/plain; charset=utf-8',
      'Invalid Preflight Request',
      'r',
    );
    assert.deepEqual(JSON.parse(cors ?? 'null'), {
      type: 'urn:sharexpress:problem:bad-request',
      title: 'Bad request',
      status: 400,
      detail: 'The request could not be served.',
      code: 'BAD_REQUEST',
      requestId: 'r',
    });
    assert.equal(codeOf(strayErrorProblem(404, undefined, '', 'r')), 'NOT_FOUND');
    assert.equal(codeOf(strayErrorProblem(502, 'text/html', null, 'r')), 'INTERNAL');
  });

  it('leaves successes, problem+json, JSON errors (Terminus) and streams alone', () => {
    assert.equal(strayErrorProblem(200, 'text/plain', 'ok', 'r'), undefined);
    assert.equal(
      strayErrorProblem(400, 'application/problem+json; charset=utf-8', '{}', 'r'),
      undefined,
    );
    assert.equal(strayErrorProblem(503, 'application/json; charset=utf-8', '{}', 'r'), undefined);
    assert.equal(strayErrorProblem(404, 'text/html', { pipe() {} }, 'r'), undefined);
  });
});
