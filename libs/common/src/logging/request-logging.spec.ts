import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { pino } from 'pino';
import { requestLogFields } from './request-context.js';
import { useRequestLogging } from './request-logging.js';

interface Line {
  level: number;
  msg: string;
  reqId?: string;
  req?: Record<string, unknown>;
  res?: { statusCode: number };
  responseTime?: number;
}

async function server() {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString().split('\n')) {
        if (text !== '') lines.push(JSON.parse(text) as Line);
      }
      done();
    },
  });
  const root = pino({ level: 'info', mixin: requestLogFields }, sink);
  let n = 0;
  const fastify = Fastify({ genReqId: () => `r-${String(++n)}` });
  useRequestLogging(fastify, root);
  fastify.post('/work', async (request) => {
    // Past the body parser's stream events and an await: still inside the request's scope.
    await new Promise((resolve) => setTimeout(resolve, 5));
    root.info({ got: request.body }, 'working');
    return { ok: true };
  });
  fastify.route({
    method: ['GET', 'POST'],
    url: '/slow',
    handler: async () => {
      await new Promise((resolve) => setTimeout(resolve, 150));
      return { ok: true };
    },
  });
  fastify.get('/health/live', () => ({ status: 'ok' }));
  fastify.get('/boom', () => {
    throw new Error('boom');
  });
  const address = await fastify.listen({ port: 0, host: '127.0.0.1' });
  // A real socket: the access line is written when the response has finished on the wire.
  const call = async (method: string, path: string, init: RequestInit = {}) => {
    const res = await fetch(`${address}${path}`, { method, ...init });
    await res.arrayBuffer();
    await new Promise((resolve) => setImmediate(resolve));
    return res;
  };
  const port = Number(new URL(address).port);
  return { fastify, lines, root, call, port };
}

describe('request logging', () => {
  it('writes one access line per request with its id, path without query, status and time', async () => {
    const { fastify, lines, call } = await server();
    const res = await call('POST', '/work?token=q-secret', {
      headers: { authorization: 'Bearer h-secret', 'content-type': 'application/json' },
      body: JSON.stringify({ a: 1 }),
    });
    await fastify.close();
    assert.equal(res.status, 200);
    const working = lines.find((l) => l.msg === 'working');
    assert.equal(working?.reqId, 'r-1', 'a line logged by the handler carries the request id');
    const access = lines.find((l) => l.msg === 'request completed');
    assert.equal(access?.level, 30);
    assert.equal(access.reqId, 'r-1');
    assert.deepEqual(access.req, {
      id: 'r-1',
      method: 'POST',
      path: '/work',
      remoteAddress: '127.0.0.1',
    });
    assert.deepEqual(access.res, { statusCode: 200 });
    assert.equal(typeof access.responseTime, 'number');
    assert.doesNotMatch(JSON.stringify(lines), /q-secret|h-secret/);
  });

  it('logs server faults at error, and no health probe at all', async () => {
    const { fastify, lines, call } = await server();
    await call('GET', '/health/live');
    assert.equal(lines.length, 0);
    await call('GET', '/boom');
    await fastify.close();
    const access = lines.find((l) => l.res?.statusCode === 500);
    assert.equal(access?.level, 50);
    assert.equal(access.msg, 'request errored');
  });

  it('writes one aborted line for a client that leaves before its answer, whenever it leaves', async () => {
    const { fastify, lines, port } = await server();
    const leaveWhileWorking = async (init: RequestInit) => {
      const left = new AbortController();
      const gone = fetch(`http://127.0.0.1:${String(port)}/slow`, { ...init, signal: left.signal });
      await new Promise((resolve) => setTimeout(resolve, 50));
      left.abort();
      await assert.rejects(gone);
      await new Promise((resolve) => setTimeout(resolve, 200));
    };
    // Nothing to read (Node marks the request aborted), then a whole body read first (it does not).
    await leaveWhileWorking({ method: 'GET' });
    await leaveWhileWorking({
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ a: 1 }),
    });
    // In the middle of its body.
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      'POST /work HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"a":',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await fastify.close();
    const aborted = lines.filter((l) => l.msg === 'request aborted');
    assert.deepEqual(
      aborted.map((l) => [l.reqId, l.req?.method, l.req?.path]),
      [
        ['r-1', 'GET', '/slow'],
        ['r-2', 'POST', '/slow'],
        ['r-3', 'POST', '/work'],
      ],
    );
    assert.ok((aborted[1]?.responseTime ?? -1) >= 40, 'the time until the client left');
    assert.equal(lines.filter((l) => l.msg === 'request completed').length, 0);
  });

  it('adds no request id to lines written outside a request', async () => {
    const { fastify, lines, root } = await server();
    await fastify.close();
    root.info('at boot');
    assert.equal(lines[0]?.msg, 'at boot');
    assert.equal(lines[0].reqId, undefined);
  });
});
