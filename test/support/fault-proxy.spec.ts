import assert from 'node:assert/strict';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startFaultProxy, targetOf, viaProxy, type FaultProxy } from './fault-proxy.js';

// The upstream answers every chunk it receives with this (40 bytes).
const RESPONSE = Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\nXX');

interface Exchange {
  data: Buffer;
  /** Error code the client saw (ECONNRESET…), if any. */
  error?: string;
  /** The socket was closed (by the proxy) within the wait. */
  closed: boolean;
  /** Milliseconds from the write to the first response byte. */
  firstByteMs?: number;
}

/** Connects, sends `payload`, and collects whatever comes back for at most `waitMs`. */
function exchange(port: number, payload: string, waitMs: number): Promise<Exchange> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let error: string | undefined;
    let firstByteMs: number | undefined;
    let sentAt = 0;
    const socket: Socket = connect(port, '127.0.0.1', () => {
      sentAt = performance.now();
      socket.write(payload);
    });
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ data: Buffer.concat(chunks), error, closed, firstByteMs });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('data', (chunk: Buffer) => {
      firstByteMs ??= performance.now() - sentAt;
      chunks.push(chunk);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code));
    socket.on('close', () => finish(true));
  });
}

describe('fault proxy', () => {
  let upstream: Server;
  let upstreamPort = 0;
  let upstreamConnections = 0;
  const upstreamSockets = new Set<Socket>();
  let proxy: FaultProxy;

  before(async () => {
    upstream = createServer((socket) => {
      upstreamConnections++;
      upstreamSockets.add(socket);
      socket.on('close', () => upstreamSockets.delete(socket));
      socket.on('data', () => socket.write(RESPONSE));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    upstreamPort = (upstream.address() as AddressInfo).port;
    proxy = await startFaultProxy({ host: '127.0.0.1', port: upstreamPort });
  });

  after(async () => {
    await proxy.close();
    for (const socket of upstreamSockets) socket.destroy();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
  });

  const through = (waitMs = 500) => exchange(proxy.port, 'GET / HTTP/1.1\r\n\r\n', waitMs);

  it('pass: forwards the request and the whole response', async () => {
    proxy.setMode('pass');
    const before = upstreamConnections;
    const res = await through(300);
    assert.deepEqual(res.data, RESPONSE);
    assert.equal(res.error, undefined);
    assert.equal(upstreamConnections, before + 1);
  });

  it('refuse: resets the connection at once, before the backend sees anything', async () => {
    proxy.setMode('refuse');
    const before = upstreamConnections;
    const started = performance.now();
    const res = await through(2000);
    assert.equal(res.closed, true);
    assert.ok(performance.now() - started < 500, 'closed at once');
    assert.equal(res.data.length, 0);
    assert.equal(res.error, 'ECONNRESET');
    assert.equal(upstreamConnections, before);
  });

  it('hang: accepts, never answers and never closes', async () => {
    proxy.setMode('hang');
    const before = { upstream: upstreamConnections, accepted: proxy.accepted.hang };
    const res = await through(700);
    assert.equal(res.closed, false, 'still open after 700 ms');
    assert.equal(res.data.length, 0);
    assert.equal(proxy.accepted.hang, before.accepted + 1, 'the connection was accepted');
    assert.equal(upstreamConnections, before.upstream);
  });

  it('reset: lets exactly resetAfterBytes of the response through, then RST', async () => {
    proxy.setMode('reset', { resetAfterBytes: 12 });
    const before = upstreamConnections;
    const res = await through(2000);
    assert.equal(res.closed, true);
    assert.deepEqual(res.data, RESPONSE.subarray(0, 12));
    assert.equal(res.error, 'ECONNRESET');
    assert.equal(upstreamConnections, before + 1, 'the request reached the backend');
  });

  it('slow: delays each chunk in each direction, and still delivers all of it', async () => {
    proxy.setMode('slow', { delayMs: 250 });
    const res = await through(900);
    assert.deepEqual(res.data, RESPONSE);
    // One delay on the way in, one on the way out.
    assert.ok((res.firstByteMs ?? 0) >= 480, `first byte after ${String(res.firstByteMs)} ms`);
  });

  it('a switch drops the connections opened in the previous mode', async () => {
    proxy.setMode('hang');
    const pending = through(3000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = performance.now();
    proxy.setMode('pass');
    const res = await pending;
    assert.equal(res.closed, true);
    assert.ok(performance.now() - started < 500, 'dropped at the switch');
    assert.equal(res.data.length, 0);
    // …and the next connection gets the new mode.
    assert.deepEqual((await through(300)).data, RESPONSE);
  });

  it('close() drops open connections and frees the port', async () => {
    const local = await startFaultProxy(
      { host: '127.0.0.1', port: upstreamPort },
      { mode: 'hang' },
    );
    const pending = exchange(local.port, 'x', 3000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await local.close();
    assert.equal((await pending).closed, true);
    assert.equal((await exchange(local.port, 'x', 1000)).error, 'ECONNREFUSED');
  });
});

describe('fault proxy URLs', () => {
  const proxy = { host: '127.0.0.1', port: 4242 };

  it('reads the target of S3 endpoints and MongoDB URIs', () => {
    assert.deepEqual(targetOf('http://127.0.0.1:9000'), { host: '127.0.0.1', port: 9000 });
    assert.deepEqual(targetOf('http://minio.internal'), { host: 'minio.internal', port: 80 });
    assert.deepEqual(targetOf('mongodb://u:p@db.internal/sx?authSource=admin'), {
      host: 'db.internal',
      port: 27017,
    });
    assert.throws(() => targetOf('mongodb://a:1,b:2/sx'), /one mongodb:\/\/ host/);
    assert.throws(() => targetOf('mongodb+srv://cluster.example.net/sx'), /one mongodb/);
  });

  it('points URLs at the proxy, keeping credentials, path and options', () => {
    assert.equal(viaProxy('http://127.0.0.1:9000', proxy), 'http://127.0.0.1:4242');
    assert.equal(
      viaProxy('mongodb://127.0.0.1:27018/sx_1', proxy),
      'mongodb://127.0.0.1:4242/sx_1?directConnection=true',
    );
    assert.equal(
      viaProxy('mongodb://u:p@db.internal:27017/sx?authSource=admin', proxy),
      'mongodb://u:p@127.0.0.1:4242/sx?authSource=admin&directConnection=true',
    );
    assert.equal(
      viaProxy('mongodb://db.internal', proxy),
      'mongodb://127.0.0.1:4242/?directConnection=true',
    );
  });
});
