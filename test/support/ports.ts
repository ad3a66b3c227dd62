// Ports for tests, without the "free a moment ago" race.
//
// Best: let the server under test listen on port 0 itself and read its port back
// (`startTestApp`, `startMongoServer({ port: 0 })`, `--mongo-port 0`). Next best: hand over a
// listening server (`listenOnFreePort`). Only a child process that must be told a number gets
// one from `withFreePorts`, which retries when another process took the port in between.
import { createServer, type Server } from 'node:net';

/** The TCP port a listening server is bound to. */
export function portOf(server: Pick<Server, 'address'>): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

/** Listens on a port the OS picks and returns the listening server; close it when done. */
export async function listenOnFreePort(
  server: Server = createServer(),
  host = '127.0.0.1',
): Promise<{ server: Server; port: number }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { server, port: portOf(server) };
}

export const closeServer = (server: Server): Promise<void> =>
  new Promise((resolve) => server.close(() => resolve()));

/**
 * A port number that was free when this returned, and may be taken by the time it is used:
 * only with `withFreePorts` (which retries on a clash), or for a process that must not bind.
 */
export async function freePortNumber(host = '127.0.0.1'): Promise<number> {
  const { server, port } = await listenOnFreePort(createServer(), host);
  await closeServer(server);
  return port;
}

/** True when `port` can be bound right now (e.g. to check that a server let go of it). */
export async function canListen(port: number, host = '127.0.0.1'): Promise<boolean> {
  const server = createServer();
  const listening = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, host, () => resolve(true));
  });
  if (listening) await closeServer(server);
  return listening;
}

/** True for an error (or output) that says a port was taken. */
export const isPortClash = (err: unknown): boolean =>
  /EADDRINUSE|address already in use|is already in use/i.test(
    err instanceof Error ? `${err.message} ${String(err.cause)}` : String(err),
  );

/**
 * Runs `attempt` with `count` distinct port numbers that were free a moment ago. When it fails
 * because one was taken in between (`isClash`, EADDRINUSE by default), it cleans up nothing
 * itself: `attempt` must leave nothing running when it throws. Then it tries fresh numbers,
 * up to `tries` times in all.
 */
export async function withFreePorts<T>(
  count: number,
  attempt: (ports: number[]) => Promise<T>,
  {
    tries = 3,
    isClash = isPortClash,
  }: { tries?: number; isClash?: (err: unknown) => boolean } = {},
): Promise<T> {
  for (let i = 1; ; i++) {
    const ports = new Set<number>();
    while (ports.size < count) ports.add(await freePortNumber());
    try {
      return await attempt([...ports]);
    } catch (err) {
      if (i >= tries || !isClash(err)) throw err;
    }
  }
}
