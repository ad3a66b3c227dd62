// One HTTP/1.1 exchange over a bare TCP socket, for requests fetch refuses to send (bad header
// characters, conflicting framing, unknown methods, no Host). Bounded: a server that never
// answers fails the caller instead of stalling it.
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Everything the server wrote, for assertion messages. */
  raw: string;
}

export interface RawRequestOptions {
  /** Give up (and reject) when no complete answer came by then. */
  timeoutMs?: number;
  /** Half-close after writing, as a client that has nothing more to send. */
  end?: boolean;
}

// The first response in `raw`, if complete (Content-Length or chunked framing, or the close).
function parseResponse(all: string, closed: boolean): RawResponse | undefined {
  // Interim 1xx answers (100 Continue) precede the real one.
  let raw = all;
  while (/^HTTP\/1\.[01] 1\d\d /.test(raw) && raw.includes('\r\n\r\n')) {
    raw = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  }
  const headEnd = raw.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const [statusLine = '', ...lines] = raw.slice(0, headEnd).split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? NaN);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = raw.slice(headEnd + 4);
  const length = headers['content-length'];
  if (length !== undefined) {
    const bytes = Buffer.from(rest, 'latin1');
    if (bytes.length < Number(length))
      return closed ? { status, headers, body: rest, raw } : undefined;
    return { status, headers, body: bytes.subarray(0, Number(length)).toString('utf8'), raw };
  }
  if (headers['transfer-encoding'] === 'chunked') {
    let body = '';
    let at = 0;
    for (;;) {
      const lineEnd = rest.indexOf('\r\n', at);
      if (lineEnd < 0) return closed ? { status, headers, body, raw } : undefined;
      const size = parseInt(rest.slice(at, lineEnd), 16);
      if (size === 0) return { status, headers, body, raw };
      body += rest.slice(lineEnd + 2, lineEnd + 2 + size);
      at = lineEnd + 2 + size + 2;
    }
  }
  return closed ? { status, headers, body: rest, raw } : undefined;
}

/** Writes `request` as is to 127.0.0.1:`port` and reads the first answer. */
export function rawRequest(
  port: number,
  request: string | Buffer,
  options: RawRequestOptions = {},
): Promise<RawResponse> {
  const { timeoutMs = 5000, end = false } = options;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let raw = '';
    let settled = false;
    const finish = (result: RawResponse | Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const timer = setTimeout(() => {
      finish(new Error(`no answer within ${String(timeoutMs)} ms; got ${JSON.stringify(raw)}`));
    }, timeoutMs);
    socket.on('connect', () => {
      socket.write(request);
      if (end) socket.end();
    });
    socket.on('data', (chunk: Buffer) => {
      raw += chunk.toString('latin1');
      const parsed = parseResponse(raw, false);
      if (parsed !== undefined) finish(parsed);
    });
    socket.on('error', () => undefined); // a reset after the answer is fine; 'close' decides
    socket.on('close', () => {
      finish(
        parseResponse(raw, true) ?? new Error(`closed without an answer: ${JSON.stringify(raw)}`),
      );
    });
  });
}
