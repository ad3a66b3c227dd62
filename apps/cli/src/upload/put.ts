// One presigned PUT straight to storage with node:http(s): a byte range of a file streamed from
// disk with exactly the headers the API signed (content-length among them, so nothing is sent
// chunked); node adds only Host and Connection, which the signature allows.
import { createReadStream } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

export class PutError extends Error {
  /** 0: the connection failed or dropped before an answer. */
  readonly status: number;
  readonly body: string;
  constructor(status: number, body: string, cause?: unknown) {
    super(
      status === 0
        ? `storage did not answer (${describe(cause)})`
        : `storage answered ${String(status)}`,
      { cause },
    );
    this.status = status;
    this.body = body;
  }
}

function describe(cause: unknown): string {
  if (cause instanceof Error) return (cause as NodeJS.ErrnoException).code ?? cause.message;
  return 'connection lost';
}

export interface PutRequest {
  url: string;
  headers: Record<string, string>;
  path: string;
  /** Byte range [start, end) of the file. */
  start: number;
  end: number;
  onSent(bytes: number): void;
  signal: AbortSignal;
}

/** Resolves with storage's ETag. */
export function putRange(req: PutRequest): Promise<string> {
  return new Promise((resolve, reject) => {
    const url = new URL(req.url);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const outgoing = send(url, { method: 'PUT', headers: req.headers, signal: req.signal });
    outgoing.on('error', (error) =>
      reject(req.signal.aborted ? error : new PutError(0, '', error)),
    );
    outgoing.on('response', (res: IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        if (body.length < 4096) body += text;
      });
      res.on('error', (error) => reject(new PutError(0, '', error)));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve(String(res.headers.etag ?? ''));
        else reject(new PutError(status, body));
      });
    });
    if (req.end <= req.start) {
      outgoing.end();
      return;
    }
    const source = createReadStream(req.path, { start: req.start, end: req.end - 1 });
    let sent = 0;
    source.on('data', (chunk) => {
      sent += chunk.length;
      req.onSent(sent);
    });
    source.on('error', (error) => outgoing.destroy(error));
    // An aborted or failed request leaves the file closed, not half-read.
    outgoing.on('close', () => source.destroy());
    source.pipe(outgoing);
  });
}
