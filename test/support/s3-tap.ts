// An HTTP reverse proxy in front of an S3 endpoint that records which S3 operations pass
// through it, for tests that count storage requests from the storage side (keys deleted exactly
// once, no write after a pause, requests per purge).
//
//   const tap = await startS3Tap(backends.s3.endpoint);
//   ... point the app's S3_ENDPOINT at tap.endpoint ...
//   tap.deletedKeys().get('sessions/a/b')   // DeleteObject(s) requests that named the key
//   tap.writesSince(t)                      // state-changing requests received at or after t
//   await tap.close();
//
// Requests go upstream unchanged (method, path, query, raw headers including Host, body
// streamed), so SigV4 signatures made for the tap's address stay valid: the signed Host is the
// one the upstream receives. Path-style addressing only (the bucket is the first segment).
import { Agent, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { upstreamRequest } from './upstream-request.js';

export type S3Operation =
  | 'PutObject'
  | 'CopyObject'
  | 'GetObject'
  | 'HeadObject'
  | 'DeleteObject'
  | 'DeleteObjects'
  | 'ListObjectsV2'
  | 'ListMultipartUploads'
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'ListParts'
  | 'HeadBucket'
  | 'GetBucketLifecycleConfiguration'
  | 'PutBucketLifecycleConfiguration'
  | 'Other';

export interface TappedRequest {
  /** Date.now() when the request arrived. */
  at: number;
  method: string;
  /** Path as sent (still percent-encoded). */
  path: string;
  /** Query string without `?` ('' when none). */
  query: string;
  operation: S3Operation;
  /**
   * DeleteObjects: the keys its body names (set once the body has passed, before the response
   * comes back). Object operations: their key.
   */
  keys?: string[];
}

export interface S3Tap {
  /** `http://127.0.0.1:<port>`: use as the client's S3 endpoint. */
  endpoint: string;
  /** Every request so far, in arrival order. */
  requests: TappedRequest[];
  /** Key → how many DeleteObjects / DeleteObject requests named it. */
  deletedKeys(): Map<string, number>;
  /**
   * Requests received at or after `at` that change state: Put*, Delete*, Abort*, Complete*,
   * Create*, UploadPart, CopyObject, and any other PUT, POST or DELETE.
   */
  writesSince(at: number): TappedRequest[];
  close(): Promise<void>;
}

const WRITES = new Set<S3Operation>([
  'PutObject',
  'CopyObject',
  'DeleteObject',
  'DeleteObjects',
  'CreateMultipartUpload',
  'UploadPart',
  'CompleteMultipartUpload',
  'AbortMultipartUpload',
  'PutBucketLifecycleConfiguration',
]);
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function bucketOperation(method: string, q: URLSearchParams): S3Operation {
  switch (method) {
    case 'GET':
      if (q.has('uploads')) return 'ListMultipartUploads';
      if (q.has('lifecycle')) return 'GetBucketLifecycleConfiguration';
      if (q.get('list-type') === '2') return 'ListObjectsV2';
      return 'Other';
    case 'HEAD':
      return 'HeadBucket';
    case 'PUT':
      return q.has('lifecycle') ? 'PutBucketLifecycleConfiguration' : 'Other';
    case 'POST':
      return q.has('delete') ? 'DeleteObjects' : 'Other';
    default:
      return 'Other';
  }
}

function objectOperation(
  method: string,
  q: URLSearchParams,
  headers: IncomingMessage['headers'],
): S3Operation {
  const copy = headers['x-amz-copy-source'] !== undefined;
  switch (method) {
    case 'GET':
      return q.has('uploadId') ? 'ListParts' : 'GetObject';
    case 'HEAD':
      return 'HeadObject';
    case 'PUT':
      if (q.has('uploadId') || q.has('partNumber')) return copy ? 'Other' : 'UploadPart';
      return copy ? 'CopyObject' : 'PutObject';
    case 'DELETE':
      return q.has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject';
    case 'POST':
      if (q.has('uploads')) return 'CreateMultipartUpload';
      if (q.has('uploadId')) return 'CompleteMultipartUpload';
      return 'Other';
    default:
      return 'Other';
  }
}

/** The S3 operation of a path-style request, and the object key it addresses (if any). */
export function classifyS3Request(
  method: string,
  url: string,
  headers: IncomingMessage['headers'] = {},
): { path: string; query: string; operation: S3Operation; key?: string } {
  const at = url.indexOf('?');
  const path = at < 0 ? url : url.slice(0, at);
  const query = at < 0 ? '' : url.slice(at + 1);
  const q = new URLSearchParams(query);
  const segments = path.replace(/^\//, '');
  const slash = segments.indexOf('/');
  if (segments === '') return { path, query, operation: 'Other' };
  if (slash < 0 || slash === segments.length - 1) {
    return { path, query, operation: bucketOperation(method, q) };
  }
  const key = segments
    .slice(slash + 1)
    .split('/')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s; // not percent-encoding S3 would accept either; the upstream answers it
      }
    })
    .join('/');
  return { path, query, operation: objectOperation(method, q, headers), key };
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

function decodeXmlText(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (whole, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(parseInt(name.slice(1), 10));
    return ENTITIES[name] ?? whole;
  });
}

/** The keys of a DeleteObjects body (`Delete/Object/Key`), XML entities decoded. */
export function deleteObjectsKeys(xml: string): string[] {
  const keys: string[] = [];
  for (const object of xml.matchAll(/<Object>([\s\S]*?)<\/Object>/g)) {
    const key = /<Key>([\s\S]*?)<\/Key>/.exec(object[1])?.[1];
    if (key !== undefined) keys.push(decodeXmlText(key));
  }
  return keys;
}

/** Undoes aws-chunked framing (`<hex size>[;ext]\r\n<data>\r\n`…`0\r\n<trailers>`). */
function decodeAwsChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < body.length) {
    const eol = body.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(body.subarray(at, eol).toString('latin1').split(';')[0], 16);
    if (!(size > 0)) break;
    parts.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** Starts a tap on 127.0.0.1:<free port> in front of `target` ('http://host:port'). */
export async function startS3Tap(target: string): Promise<S3Tap> {
  const upstream = new URL(target);
  if (upstream.protocol !== 'http:') throw new Error('an S3 tap fronts a plain http:// endpoint');
  const agent = new Agent({ keepAlive: true });
  const requests: TappedRequest[] = [];
  const sockets = new Set<Socket>();

  const forward = (req: IncomingMessage, res: ServerResponse): void => {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const { path, query, operation, key } = classifyS3Request(method, url, req.headers);
    const record: TappedRequest = { at: Date.now(), method, path, query, operation };
    if (key !== undefined) record.keys = [key];
    requests.push(record);

    const out = upstreamRequest(upstream, agent, req, res);

    if (operation === 'DeleteObjects') {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const chunked = (req.headers['content-encoding'] ?? '').includes('aws-chunked');
        record.keys = deleteObjectsKeys((chunked ? decodeAwsChunked(body) : body).toString());
      });
    }
    req.pipe(out);
  };

  const server = createServer(forward);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${String(port)}`,
    requests,
    deletedKeys() {
      const counts = new Map<string, number>();
      for (const r of requests) {
        if (r.operation !== 'DeleteObjects' && r.operation !== 'DeleteObject') continue;
        // Once per request, however often its body repeats the key.
        for (const key of new Set(r.keys ?? [])) counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      return counts;
    },
    writesSince(at) {
      return requests.filter(
        (r) =>
          r.at >= at &&
          (WRITES.has(r.operation) || (r.operation === 'Other' && !READ_METHODS.has(r.method))),
      );
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
