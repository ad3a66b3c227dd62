// An HTTP reverse proxy that can hold chosen requests back (and let them go later), for tests
// that need requests provably in flight inside an app: put it between the app and storage, hold
// the app's storage calls, fire N requests whose handlers call storage, wait until N are held,
// then do what the test is about (signal the process) while every one of them is mid-request.
//
//   const gate = await startHttpGate('http://127.0.0.1:9000');
//   ... point the app's S3_ENDPOINT at gate.endpoint ...
//   gate.hold((method, url) => method === 'GET' && url.includes('uploadId='));
//   await until(() => gate.held === 50);
//   gate.release();                 // every held request goes upstream now
//   await gate.close();
//
// Requests go upstream unchanged (method, path, raw headers including Host, body streamed), so a
// SigV4 signature made for the gate's address stays valid.
import { Agent, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { upstreamRequest } from './upstream-request.js';

export interface HttpGate {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  /** Holds, from now on, every request `match` accepts (until release). */
  hold(match: (method: string, url: string) => boolean): void;
  /** Requests held right now. */
  readonly held: number;
  /** Stops holding and sends every held request upstream. */
  release(): void;
  close(): Promise<void>;
}

/** Starts a gate on 127.0.0.1:<free port> in front of `target` ('http://host:port'). */
export async function startHttpGate(target: string): Promise<HttpGate> {
  const upstream = new URL(target);
  if (upstream.protocol !== 'http:')
    throw new Error('an HTTP gate fronts a plain http:// endpoint');
  const agent = new Agent({ keepAlive: true });
  const sockets = new Set<Socket>();
  let match: ((method: string, url: string) => boolean) | null = null;
  const waiting: (() => void)[] = [];

  const forward = (req: IncomingMessage, res: ServerResponse): void => {
    const out = upstreamRequest(upstream, agent, req, res);
    req.pipe(out);
  };

  const server = createServer((req, res) => {
    if (match !== null && match(req.method ?? 'GET', req.url ?? '/')) {
      // Paused until released: the body stays in the socket, the client waits for an answer.
      req.pause();
      waiting.push(() => forward(req, res));
      return;
    }
    forward(req, res);
  });
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
    hold(next) {
      match = next;
    },
    get held() {
      return waiting.length;
    },
    release() {
      match = null;
      for (const go of waiting.splice(0)) go();
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
