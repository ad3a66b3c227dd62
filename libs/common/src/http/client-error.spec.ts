import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PassThrough } from 'node:stream';
import { answerClientError, clientErrorProblem, rawProblemResponse } from './client-error.js';

const parserError = (code: string) => Object.assign(new Error(code), { code });

describe('client errors (requests the HTTP parser refused)', () => {
  it('maps timeouts to 408, oversized headers to 431, anything else to 400', () => {
    const cases = [
      ['ERR_HTTP_REQUEST_TIMEOUT', 408, 'REQUEST_TIMEOUT'],
      ['HPE_HEADER_OVERFLOW', 431, 'HEADERS_TOO_LARGE'],
      ['HPE_INVALID_METHOD', 400, 'BAD_REQUEST'],
      ['HPE_SOMETHING_NEW', 400, 'BAD_REQUEST'],
    ] as const;
    for (const [code, status, expected] of cases) {
      const problem = clientErrorProblem(parserError(code));
      assert.deepEqual(
        [problem.status, problem.code, problem.serverFault],
        [status, expected, false],
      );
    }
  });

  it('writes a whole problem+json response with the request id, then closes', () => {
    const text = rawProblemResponse(clientErrorProblem(parserError('HPE_HEADER_OVERFLOW')), 'r-1');
    const [head = '', body = ''] = text.split('\r\n\r\n');
    assert.match(head, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    assert.match(head, /\r\ncontent-type: application\/problem\+json; charset=utf-8(\r\n|$)/);
    assert.match(head, /\r\nx-request-id: r-1(\r\n|$)/);
    assert.match(head, /\r\nconnection: close(\r\n|$)/);
    assert.match(
      head,
      new RegExp(`\\r\\ncontent-length: ${String(Buffer.byteLength(body))}(\\r\\n|$)`),
    );
    assert.deepEqual(JSON.parse(body), {
      type: 'urn:sharexpress:problem:headers-too-large',
      title: 'Headers too large',
      status: 431,
      detail: 'The request headers are larger than the server accepts.',
      code: 'HEADERS_TOO_LARGE',
      requestId: 'r-1',
    });
  });

  it('answers a timed-out request with 408 on its socket', async () => {
    const socket = new PassThrough();
    let written = '';
    socket.on('data', (chunk: Buffer) => (written += chunk.toString()));
    const ended = new Promise((resolve) => socket.on('finish', resolve));
    answerClientError(parserError('ERR_HTTP_REQUEST_TIMEOUT'), socket);
    await ended;
    assert.match(written, /^HTTP\/1\.1 408 Request Timeout\r\n/);
    assert.match(written, /"code":"REQUEST_TIMEOUT"/);
    socket.destroy();
  });

  it('writes nothing to a client that already went away', () => {
    const socket = new PassThrough();
    let written = '';
    socket.on('data', (chunk: Buffer) => (written += chunk.toString()));
    answerClientError(parserError('ECONNRESET'), socket);
    assert.equal(written, '');
    assert.equal(socket.destroyed, true);
  });
});
