import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig } from '@app/config';
import { pinoHttpOptions, requestLogLevel } from './logger-options.js';
import type { IncomingMessage } from 'node:http';

const config = loadConfig({
  MONGODB_URI: 'mongodb://127.0.0.1:1',
  S3_ENDPOINT: 'http://127.0.0.1:1',
  S3_ACCESS_KEY_ID: 'a',
  S3_SECRET_ACCESS_KEY: 'b',
});

function capture(): { logger: pino.Logger; lines: () => string } {
  let out = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out += chunk.toString();
      done();
    },
  });
  const { redact, serializers, level } = pinoHttpOptions(config, false);
  return { logger: pino({ redact, serializers, level }, sink), lines: () => out };
}

describe('logger options', () => {
  it('redacts secrets at the top level and one level down', () => {
    const { logger, lines } = capture();
    logger.info({ password: 'pw-1', body: { refreshToken: 'rt-2' }, user: { secret: 's-3' } });
    logger.info({ accessToken: 'at-4', authorization: 'Bearer b-5' }, 'tokens');
    assert.doesNotMatch(lines(), /pw-1|rt-2|s-3|at-4|b-5/);
    assert.match(lines(), /\[redacted\]/);
  });

  it('logs a request as method, path and address only: no headers, no query', () => {
    const { logger, lines } = capture();
    const raw = {
      method: 'POST',
      url: '/login',
      originalUrl: '/v1/auth/login?token=q-6',
      ip: '10.1.2.3',
      headers: { authorization: 'Bearer h-7', cookie: 'sid=c-8' },
    };
    logger.info({ req: { id: 'r-1', method: 'POST', raw } }, 'request');
    const line = JSON.parse(lines()) as { req: Record<string, unknown> };
    assert.deepEqual(line.req, {
      id: 'r-1',
      method: 'POST',
      path: '/v1/auth/login',
      remoteAddress: '10.1.2.3',
    });
    assert.doesNotMatch(lines(), /q-6|h-7|c-8/);
  });

  it('logs a client that hung up mid-request at info, not as an error', () => {
    const req = {} as IncomingMessage;
    const done = (statusCode: number) => ({ statusCode, writableFinished: true });
    const aborted = Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    // Closed before the answer was written, even after a handler had set a 500.
    assert.equal(requestLogLevel(req, { statusCode: 500, writableFinished: false }), 'info');
    assert.equal(requestLogLevel(req, done(400), aborted), 'info');
    assert.equal(requestLogLevel(req, done(500)), 'error');
    assert.equal(requestLogLevel(req, done(200), new Error('boom')), 'error');
    assert.equal(requestLogLevel(req, done(404)), 'warn');
    assert.equal(requestLogLevel(req, done(200)), 'info');
  });
});
