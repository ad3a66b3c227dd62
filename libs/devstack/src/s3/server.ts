// The HTTP front: parses path-style addresses, authenticates with SigV4, applies CORS, routes,
// and renders S3 errors (XML body, none for HEAD).
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHECKSUM_ALGORITHMS, checksumHeader } from './checksums.js';
import type { S3Context } from './context.js';
import { actualRequestHeaders, preflight } from './cors.js';
import { removeTree } from './disk.js';
import { S3Error } from './errors.js';
import { route } from './router.js';
import { verifyRequest } from './auth.js';
import { decodeComponent, headerMap, parseQuery, type Credentials } from './sigv4.js';
import { Store } from './store.js';
import { renderXml } from './xml.js';

export interface ServerConfig {
  store: Store;
  region: string;
  credentials: readonly Credentials[];
}

// Presigned URLs carry x-amz-* headers hoisted into the (signed) query string. S3 applies them as
// headers, except the auth parameters and checksum values, which it signs but ignores.
const NOT_HOISTED = new Set([
  'x-amz-algorithm',
  'x-amz-credential',
  'x-amz-date',
  'x-amz-expires',
  'x-amz-signedheaders',
  'x-amz-signature',
  'x-amz-content-sha256',
  'x-amz-security-token',
  'x-amz-sdk-checksum-algorithm',
]);

const CHECKSUM_VALUES = new Set(CHECKSUM_ALGORITHMS.map(checksumHeader));

function hoistedHeaders(
  query: ReadonlyArray<readonly [string, string]>,
  headers: Map<string, string[]>,
): void {
  for (const [name, value] of query) {
    const lower = name.toLowerCase();
    if (!lower.startsWith('x-amz-') || NOT_HOISTED.has(lower) || CHECKSUM_VALUES.has(lower))
      continue;
    // Header values arrive as latin1-decoded bytes; keep hoisted values in the same form.
    if (!headers.has(lower)) headers.set(lower, [Buffer.from(value, 'utf8').toString('latin1')]);
  }
}

function splitPath(rawPath: string): { bucket?: string; key?: string } {
  const path = rawPath.startsWith('/') ? rawPath.slice(1) : rawPath;
  if (path === '') return {};
  const slash = path.indexOf('/');
  if (slash < 0) return { bucket: decodeComponent(path) };
  const key = decodeComponent(path.slice(slash + 1));
  return { bucket: decodeComponent(path.slice(0, slash)), key: key === '' ? undefined : key };
}

function sendError(
  req: IncomingMessage,
  res: ServerResponse,
  err: unknown,
  resource: string,
  requestId: string,
): void {
  const error = err instanceof S3Error ? err : new S3Error('InternalError');
  if (!(err instanceof S3Error)) console.error('devstack s3: internal error', err);
  if (answered.has(res)) return;
  if (res.headersSent) {
    // Too late for a status: cut the response so the client sees a failure, not a short body.
    res.destroy();
    return;
  }
  const body = renderXml(
    'Error',
    {
      Code: error.code,
      Message: error.message,
      ...error.extra,
      Resource: resource,
      RequestId: requestId,
      HostId: requestId,
    },
    false,
  );
  res.statusCode = error.status;
  res.setHeader('content-type', 'application/xml');
  // An unread or broken body cannot be resynchronised: answer, then close the connection.
  if (!req.complete) res.setHeader('connection', 'close');
  if (req.method === 'HEAD' || error.status === 304) {
    res.setHeader('content-length', 0);
    res.end();
    return;
  }
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}

export async function handleRequest(
  config: ServerConfig,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const requestId = randomBytes(8).toString('hex').toUpperCase();
  res.setHeader('x-amz-request-id', requestId);
  res.setHeader('x-amz-id-2', requestId);
  res.setHeader('server', 'DevstackS3');
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const queryPairs = parseQuery(q < 0 ? '' : url.slice(q + 1));
  const { bucket, key } = splitPath(rawPath);
  const resource = bucket === undefined ? '/' : `/${bucket}${key === undefined ? '' : `/${key}`}`;
  const method = req.method ?? 'GET';
  const headers = headerMap(req.rawHeaders);
  const get = (name: string): string | undefined => headers.get(name)?.[0];
  try {
    if (method === 'OPTIONS') {
      // Preflights are anonymous by design: browsers never sign them.
      if (bucket === undefined || !config.store.hasBucket(bucket)) {
        throw new S3Error('AccessForbidden', 'CORSResponse: Bucket not found', {
          Method: get('access-control-request-method') ?? '',
          ResourceType: 'BUCKET',
        });
      }
      const cors = preflight(
        config.store.bucket(bucket).cors,
        get('origin'),
        get('access-control-request-method'),
        get('access-control-request-headers'),
      );
      res.writeHead(200, { ...cors, 'content-length': 0 });
      res.end();
      return;
    }
    // CORS headers go on every response to a matching Origin, errors included, so browsers can
    // read S3's error documents.
    if (bucket !== undefined && config.store.hasBucket(bucket)) {
      const cors = actualRequestHeaders(config.store.bucket(bucket).cors, get('origin'), method);
      for (const [name, value] of Object.entries(cors))
        if (value !== undefined) res.setHeader(name, value);
    }
    const auth = verifyRequest(
      { method, rawPath, query: queryPairs, rawHeaders: req.rawHeaders },
      { credentials: config.credentials, region: config.region },
    );
    if (auth.presigned) hoistedHeaders(queryPairs, headers);
    const ctx: S3Context = {
      req,
      res,
      requestId,
      method,
      bucket,
      key,
      query: new Map(queryPairs),
      headers,
      auth,
      store: config.store,
      region: config.region,
    };
    if (key !== undefined && Buffer.byteLength(key) > 1024)
      throw new S3Error('KeyTooLongError', 'Your key is too long');
    await route(ctx)(ctx);
  } catch (err) {
    sendError(req, res, err, resource, requestId);
  }
}

/**
 * Malformed HTTP or a body cut short by the client closing its side. When no response has
 * started, answer with S3's XML (IncompleteBody for a truncated body), then close.
 */
function onClientError(err: Error & { code?: string }, socket: Socket): void {
  const inFlight = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent === true) {
    socket.destroy();
    return;
  }
  const truncated = err.code === 'HPE_INVALID_EOF_STATE';
  const error = truncated
    ? new S3Error('IncompleteBody')
    : new S3Error('BadRequest', 'The HTTP request could not be parsed.');
  const requestId = randomBytes(8).toString('hex').toUpperCase();
  const body = renderXml(
    'Error',
    { Code: error.code, Message: error.message, RequestId: requestId, HostId: requestId },
    false,
  );
  socket.end(
    `HTTP/1.1 ${error.status} Bad Request\r\nContent-Type: application/xml\r\nContent-Length: ${Buffer.byteLength(body)}\r\nx-amz-request-id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
  );
  // The in-flight response must not write after us.
  if (inFlight) answered.add(inFlight);
}

// Responses already answered at the socket level by onClientError.
const answered = new WeakSet<ServerResponse>();

export interface RunningServer {
  server: Server;
  port: number;
  stop(): Promise<void>;
}

export async function listen(
  config: ServerConfig,
  host: string,
  port: number,
): Promise<RunningServer> {
  const sockets = new Set<Socket>();
  // Handlers still running at stop() are awaited, so none writes into a removed data dir.
  const inFlight = new Set<Promise<void>>();
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const done = handleRequest(config, req, res).finally(() => inFlight.delete(done));
    inFlight.add(done);
  };
  const server = createServer(handle);
  // Expect: 100-continue (aws CLI uploads): authenticate and route first; body.ts sends the
  // 100 only when it starts reading, so a refused upload is never transferred.
  server.on('checkContinue', handle);
  server.on('clientError', onClientError);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
      await Promise.allSettled([...inFlight]);
    },
  };
}

export async function makeTempDataDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'devstack-s3-'));
  return { dir, cleanup: () => removeTree(dir) };
}
