// A TCP proxy that injects network faults between an app and a backend (S3, MongoDB), for
// fault tests that run against the devstack or real services alike.
//
//   const proxy = await startFaultProxy({ host: '127.0.0.1', port: 9000 });
//   ... point the app at proxy.host:proxy.port (or proxyUrl(...)) ...
//   proxy.setMode('hang');        // every open socket is dropped; new ones hang
//   proxy.setMode('pass');        // healthy again
//   await proxy.close();
//
// Modes (chosen per connection when it is accepted; a switch drops every open socket, so a
// connection never outlives the mode it was accepted in):
//   pass    forward both ways.
//   refuse  accept, then reset at once (RST before a byte is read): a closed port as clients
//           see it, without releasing the port (re-binding it later could race another process).
//   hang    accept, read and discard everything, never answer, never close.
//   reset   forward the request; forward `resetAfterBytes` of the response, then RST.
//   slow    forward both ways, each chunk delayed by `delayMs` (in order, one after another).
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export type FaultMode = 'pass' | 'refuse' | 'hang' | 'reset' | 'slow';

export interface FaultSettings {
  /** `reset`: response bytes let through before the RST (default 16). */
  resetAfterBytes?: number;
  /** `slow`: delay of every chunk, in each direction (default 1000 ms). */
  delayMs?: number;
}

export interface FaultProxyTarget {
  host: string;
  port: number;
}

export interface FaultProxy {
  readonly host: string;
  readonly port: number;
  readonly mode: FaultMode;
  /** Connections accepted so far, by the mode they were accepted in. */
  readonly accepted: Readonly<Record<FaultMode, number>>;
  /** Client connections open right now. */
  readonly openConnections: number;
  /** Switches mode and drops every open connection (both sides). */
  setMode(mode: FaultMode, settings?: FaultSettings): void;
  close(): Promise<void>;
}

const DEFAULT_RESET_AFTER_BYTES = 16;
const DEFAULT_DELAY_MS = 1000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Starts a fault proxy on 127.0.0.1:<free port> in front of `target`, in mode `pass`. */
export async function startFaultProxy(
  target: FaultProxyTarget,
  initial: { mode?: FaultMode } & FaultSettings = {},
): Promise<FaultProxy> {
  let mode: FaultMode = initial.mode ?? 'pass';
  let settings: FaultSettings = initial;
  const accepted: Record<FaultMode, number> = { pass: 0, refuse: 0, hang: 0, reset: 0, slow: 0 };
  const open = new Set<Socket>();
  const clients = new Set<Socket>();

  const track = (socket: Socket): Socket => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    // A dropped peer is the point of this proxy, not a crash.
    socket.on('error', () => undefined);
    return socket;
  };

  const server: Server = createServer((client) => {
    track(client);
    clients.add(client);
    client.on('close', () => clients.delete(client));
    accepted[mode]++;
    switch (mode) {
      case 'refuse':
        client.resetAndDestroy();
        return;
      case 'hang':
        client.resume();
        return;
      case 'pass':
      case 'reset':
      case 'slow':
        forward(client, mode, settings);
    }
  });

  function forward(client: Socket, connMode: FaultMode, s: FaultSettings): void {
    const upstream = track(connect(target.port, target.host));
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', closeBoth);
    upstream.on('close', closeBoth);
    if (connMode === 'pass') {
      client.pipe(upstream);
      upstream.pipe(client);
      return;
    }
    if (connMode === 'slow') {
      const delay = s.delayMs ?? DEFAULT_DELAY_MS;
      relaySlowly(client, upstream, delay);
      relaySlowly(upstream, client, delay);
      return;
    }
    // reset: the request goes through, the response is cut after a few bytes.
    client.pipe(upstream);
    let budget = s.resetAfterBytes ?? DEFAULT_RESET_AFTER_BYTES;
    let cut = false;
    upstream.on('data', (chunk: Buffer) => {
      if (cut || client.destroyed) return;
      if (chunk.length < budget) {
        budget -= chunk.length;
        client.write(chunk);
        return;
      }
      cut = true;
      upstream.pause();
      // RST only once the allowed bytes have left, so the peer really sees a partial response.
      client.write(chunk.subarray(0, budget), () => client.resetAndDestroy());
    });
  }

  function relaySlowly(from: Socket, to: Socket, delayMs: number): void {
    let chain = Promise.resolve();
    from.on('data', (chunk: Buffer) => {
      chain = chain.then(async () => {
        await sleep(delayMs);
        if (!to.destroyed) to.write(chunk);
      });
    });
    from.on('end', () => {
      chain = chain.then(() => {
        to.end();
      });
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    host: '127.0.0.1',
    port,
    get mode() {
      return mode;
    },
    accepted,
    get openConnections() {
      return clients.size;
    },
    setMode(next, nextSettings = {}) {
      mode = next;
      settings = nextSettings;
      for (const socket of open) socket.destroy();
    },
    close: async () => {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const MONGO_URL = /^(mongodb:\/\/(?:[^@/]*@)?)([^/?]+)(\/[^?]*)?(\?.*)?$/;

/** Host and port of an `http(s)://` or single-host `mongodb://` URL (defaults filled in). */
export function targetOf(url: string): FaultProxyTarget {
  let parsed: URL;
  if (url.startsWith('mongodb')) {
    const hostPort = MONGO_URL.exec(url)?.[2];
    if (hostPort === undefined || hostPort.includes(',')) {
      throw new Error('a TCP fault proxy fronts one mongodb:// host (no SRV, no host list)');
    }
    parsed = new URL(`mongodb://${hostPort}`);
  } else {
    parsed = new URL(url);
  }
  const fallback = { 'https:': 443, 'http:': 80, 'mongodb:': 27017 }[parsed.protocol] ?? 0;
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: Number(parsed.port || fallback),
  };
}

/**
 * The same URL with its host and port replaced by the proxy's. A MongoDB URL also gets
 * `directConnection=true`, so the driver stays on the proxy instead of following the
 * replica-set member names the server announces.
 */
export function viaProxy(url: string, proxy: Pick<FaultProxy, 'host' | 'port'>): string {
  const hostPort = `${proxy.host}:${String(proxy.port)}`;
  if (url.startsWith('mongodb')) {
    targetOf(url); // refuses what a TCP proxy cannot front
    const [, prefix = '', , path = '/', query] = MONGO_URL.exec(url) ?? [];
    const options = query === undefined ? '?' : `${query}&`;
    return `${prefix}${hostPort}${path}${options}directConnection=true`;
  }
  const parsed = new URL(url);
  parsed.host = hostPort;
  return parsed.toString().replace(/\/$/, '');
}
