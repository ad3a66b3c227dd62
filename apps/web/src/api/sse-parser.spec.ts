import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SseParser, type SseMessage } from './sse-parser';

// What the API's events route writes (docs/web-contract A): a ready frame, an event, a heartbeat
// and the end frame.
const READY = 'retry: 3000\nid: 41\nevent: ready\ndata: {"sessionId":"s1","after":41}\n\n';
const EVENT =
  'id: 42\nevent: file.ready\ndata: {"seq":42,"type":"file.ready","at":"2026-12-03T09:00:00.000Z","data":{"fileId":"f1"}}\n\n';
const HEARTBEAT = ': heartbeat\n\n';
const END = 'event: end\ndata: {"reason":"session_closed"}\n\n';
const STREAM = READY + EVENT + HEARTBEAT + END;

const EXPECTED: SseMessage[] = [
  { event: 'ready', data: '{"sessionId":"s1","after":41}', id: '41' },
  {
    event: 'file.ready',
    data: '{"seq":42,"type":"file.ready","at":"2026-12-03T09:00:00.000Z","data":{"fileId":"f1"}}',
    id: '42',
  },
  { event: 'end', data: '{"reason":"session_closed"}' },
];

function parseAll(chunks: string[]): { messages: SseMessage[]; retries: number[] } {
  const retries: number[] = [];
  const parser = new SseParser((ms) => retries.push(ms));
  const messages = chunks.flatMap((chunk) => parser.push(chunk));
  return { messages, retries };
}

describe('SseParser', () => {
  test('reads the server stream: event names, data, ids, and the retry time', () => {
    const { messages, retries } = parseAll([STREAM]);
    assert.deepEqual(messages, EXPECTED);
    assert.deepEqual(retries, [3000]);
  });

  test('gives the same messages however the stream is split into chunks', () => {
    for (let cut = 0; cut <= STREAM.length; cut += 1) {
      const { messages } = parseAll([STREAM.slice(0, cut), STREAM.slice(cut)]);
      assert.deepEqual(messages, EXPECTED, `split at ${String(cut)}`);
    }
    assert.deepEqual(parseAll([...STREAM]).messages, EXPECTED, 'one character a chunk');
  });

  test('accepts CRLF and lone CR line endings, also when a CRLF is split across chunks', () => {
    const crlf = STREAM.replaceAll('\n', '\r\n');
    const cr = STREAM.replaceAll('\n', '\r');
    assert.deepEqual(parseAll([crlf]).messages, EXPECTED);
    // A CR at the very end may be half of a CRLF, so the last frame waits for the next byte.
    assert.deepEqual(parseAll([cr, ':']).messages, EXPECTED);
    for (let cut = 0; cut <= cr.length; cut += 1) {
      const { messages } = parseAll([cr.slice(0, cut), cr.slice(cut), ':']);
      assert.deepEqual(messages, EXPECTED, `CR split at ${String(cut)}`);
    }
    for (let cut = 0; cut <= crlf.length; cut += 1) {
      const { messages, retries } = parseAll([crlf.slice(0, cut), crlf.slice(cut)]);
      assert.deepEqual(messages, EXPECTED, `CRLF split at ${String(cut)}`);
      assert.deepEqual(retries, [3000], `CRLF split at ${String(cut)}`);
    }
  });

  test('does not hand out a message before its blank line arrives', () => {
    const parser = new SseParser();
    assert.deepEqual(parser.push('event: end\ndata: {"reason":"shutdown"}\n'), []);
    assert.deepEqual(parser.push('\n'), [{ event: 'end', data: '{"reason":"shutdown"}' }]);
  });

  test('joins several data lines with newlines', () => {
    const { messages } = parseAll(['data: first\ndata: second\ndata:\ndata: fourth\n\n']);
    assert.deepEqual(messages, [{ event: 'message', data: 'first\nsecond\n\nfourth' }]);
  });

  test('ignores comments and heartbeats, which are not messages', () => {
    const { messages } = parseAll([': heartbeat\n\n:another\n\n', ':x\ndata: kept\n\n']);
    assert.deepEqual(messages, [{ event: 'message', data: 'kept' }]);
  });

  test('strips one space after the colon only, and keeps colons inside the value', () => {
    const { messages } = parseAll(['data:no space\n\n', 'data:  two spaces\n\n', 'data: a:b\n\n']);
    assert.deepEqual(
      messages.map((m) => m.data),
      ['no space', ' two spaces', 'a:b'],
    );
  });

  test('a message without an event field is a "message"; each message starts fresh', () => {
    const { messages } = parseAll(['event: file.deleted\nid: 7\ndata: x\n\ndata: y\n\n']);
    assert.deepEqual(messages, [
      { event: 'file.deleted', data: 'x', id: '7' },
      { event: 'message', data: 'y' },
    ]);
  });

  test('skips unknown fields, a retry that is not a number, and an id with a NUL', () => {
    const { messages, retries } = parseAll([
      'retry: soon\nretry: 1.5\nfoo: bar\nid: 1\0 2\ndata: x\n\nretry:500\n\n',
    ]);
    assert.deepEqual(messages, [{ event: 'message', data: 'x' }]);
    assert.deepEqual(retries, [500]);
  });

  test('a blank line with nothing before it dispatches nothing', () => {
    assert.deepEqual(parseAll(['\n\n\r\n\n']).messages, []);
  });
});
