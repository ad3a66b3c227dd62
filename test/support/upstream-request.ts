// The forwarding half of the test proxies (S3 tap, HTTP gate): the client's request goes upstream
// unchanged (method, path, raw headers including Host), and the upstream's answer comes back as
// it is. Unchanged Host and headers keep a SigV4 signature made for the proxy's address valid.
import {
  request as httpRequest,
  type Agent,
  type ClientRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';

/**
 * Opens the upstream request for `req` and wires its answer into `res`; the caller pipes the
 * body (`req.pipe(out)`), after attaching its own listeners to `req` if it reads it too. A client
 * that hangs up cancels the upstream request; an upstream that fails answers 502, or cuts the
 * response short once it has begun.
 */
export function upstreamRequest(
  upstream: URL,
  agent: Agent,
  req: IncomingMessage,
  res: ServerResponse,
): ClientRequest {
  const out = httpRequest({
    host: upstream.hostname,
    port: Number(upstream.port || 80),
    method: req.method ?? 'GET',
    path: req.url ?? '/',
    headers: req.rawHeaders,
    agent,
  });
  out.on('response', (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders);
    answer.pipe(res);
    answer.on('error', () => res.destroy());
  });
  out.on('error', () => {
    if (!res.headersSent) res.writeHead(502, { 'content-length': 0 });
    res.destroy();
  });
  res.on('close', () => {
    if (!res.writableFinished) out.destroy();
  });
  return out;
}
