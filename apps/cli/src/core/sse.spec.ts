import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import { bearerClient } from './client.ts';
import { createSseParser, subscribe, type SessionEvent, type SseFrame } from './sse.ts';

describe('createSseParser', () => {
  const parse = (chunks: string[]): SseFrame[] => {
    const frames: SseFrame[] = [];
    const parser = createSseParser((f) => frames.push(f));
    for (const c of chunks) parser.feed(c);
    return frames;
  };

  test('frames, comments and multi-line data', () => {
    const frames = parse([
      'retry: 3000\nid: 12\nevent: ready\ndata: {"after":12}\n\n',
      ': heartbeat\n\n',
      'id: 13\nevent: device.claimed\ndata: line one\ndata: line two\n\n',
    ]);
    assert.deepEqual(frames, [
      { event: 'ready', data: '{"after":12}', id: '12' },
      { event: 'device.claimed', data: 'line one\nline two', id: '13' },
    ]);
  });

  test('a frame split anywhere across chunks, and CRLF or CR line ends', () => {
    const text =
      'id: 1\r\nevent: end\r\ndata: {"reason":"session_closed"}\r\n\r\nid: 2\rdata: x\r\r';
    const whole = parse([text]);
    const bytewise = parse([...text]);
    assert.deepEqual(bytewise, whole);
    assert.deepEqual(whole, [
      { event: 'end', data: '{"reason":"session_closed"}', id: '1' },
      { event: 'message', data: 'x', id: '2' },
    ]);
  });

  test('"data:x" without a space, and a field without a colon', () => {
    assert.deepEqual(parse(['data:x\ndata\n\n']), [
      { event: 'message', data: 'x\n', id: undefined },
    ]);
  });
});

describe('subscribe', () => {
  const connects: Array<{ lastEventId: string | undefined; auth: string | undefined }> = [];
  let script: (req: IncomingMessage, res: ServerResponse, n: number) => void = () => {};
  const server = createServer((req, res) => {
    connects.push({
      lastEventId: req.headers['last-event-id'] as string | undefined,
      auth: req.headers.authorization,
    });
    script(req, res, connects.length);
  });
  const listening = new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
  after(() => server.close());

  const event = (seq: number, type: string): string =>
    `id: ${seq}\nevent: ${type}\ndata: ${JSON.stringify({ seq, type, at: '2026-01-01T00:00:00.000Z', data: { n: seq } })}\n\n`;
  const open = (res: ServerResponse): void => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
  };

  test('reconnects after a drop with Last-Event-ID: every event once, in order, then the end', async () => {
    connects.length = 0;
    script = (_req, res, n) => {
      open(res);
      if (n === 1) {
        res.write(
          'id: 4\nevent: ready\ndata: {}\n\n' + event(5, 'device.claimed') + event(6, 'file.ready'),
        );
        setTimeout(() => res.destroy(), 100); // dropped without an end frame
      } else {
        // The server resumes after the id it was given; it repeats 6 here, which must be dropped.
        res.end(
          'id: 6\nevent: ready\ndata: {}\n\n' +
            event(6, 'file.ready') +
            event(7, 'file.downloaded') +
            'event: end\ndata: {"reason":"session_closed"}\n\n',
        );
      }
    };
    const base = await listening;
    const seen: SessionEvent[] = [];
    const reason = await new Promise<string>((resolve) => {
      subscribe(bearerClient(base, 'tok'), 'S1', { onEvent: (e) => seen.push(e), onEnd: resolve });
    });
    assert.equal(reason, 'session_closed');
    assert.deepEqual(
      seen.map((e) => [e.seq, e.type]),
      [
        [5, 'device.claimed'],
        [6, 'file.ready'],
        [7, 'file.downloaded'],
      ],
    );
    assert.deepEqual(seen[0]?.data, { n: 5 });
    assert.equal(connects.length, 2);
    assert.equal(connects[0]?.lastEventId, undefined);
    assert.equal(connects[1]?.lastEventId, '6');
    assert.equal(connects[0]?.auth, 'Bearer tok');
  });

  test('starts after the given seq', async () => {
    connects.length = 0;
    script = (_req, res) => {
      open(res);
      res.end('id: 9\nevent: ready\ndata: {}\n\nevent: end\ndata: {"reason":"device_revoked"}\n\n');
    };
    const reason = await new Promise<string>((resolve) => {
      subscribe(bearerClient(base(), 'tok'), 'S1', { onEvent: () => {}, onEnd: resolve }, 9);
    });
    assert.equal(reason, 'device_revoked');
    assert.equal(connects[0]?.lastEventId, '9');
  });

  test('410 at connect ends with the session status; 404 is not_found; no retry', async () => {
    connects.length = 0;
    script = (req, res) => {
      if (req.url?.endsWith('/events')) {
        res.writeHead(410, { 'content-type': 'application/problem+json' });
        res.end('{"code":"SESSION_EXPIRED","status":410}');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"id":"S1","status":"expired"}');
      }
    };
    const reason = await new Promise<string>((resolve) => {
      subscribe(bearerClient(base(), 'tok'), 'S1', { onEvent: () => {}, onEnd: resolve });
    });
    assert.equal(reason, 'session_expired');
    script = (_req, res) => {
      res.writeHead(404, { 'content-type': 'application/problem+json' });
      res.end('{"code":"NOT_FOUND"}');
    };
    const gone = await new Promise<string>((resolve) => {
      subscribe(bearerClient(base(), 'tok'), 'S2', { onEvent: () => {}, onEnd: resolve });
    });
    assert.equal(gone, 'not_found');
  });

  test('a 503 is retried (onRetry), and unsubscribing stops it without onEnd', async () => {
    connects.length = 0;
    script = (_req, res) => {
      res.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '1' });
      res.end('{"code":"SERVICE_UNAVAILABLE"}');
    };
    let ended = false;
    let stop: () => void = () => {};
    await new Promise<void>((resolve) => {
      stop = subscribe(bearerClient(base(), 'tok'), 'S1', {
        onEvent: () => {},
        onEnd: () => (ended = true),
        onRetry: (_err, delayMs) => {
          assert.ok(delayMs >= 1000);
          resolve();
        },
      });
    });
    stop();
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal(ended, false);
    assert.equal(connects.length, 1);
  });

  let baseUrl = '';
  const base = (): string => baseUrl;
  test.before(async () => {
    baseUrl = await listening;
  });
});
