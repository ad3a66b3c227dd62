import type { FastifyRequest } from 'fastify';

/**
 * The methods Fastify's router serves at the path of `request` (its query string aside), in
 * the order Fastify lists them, for the `Allow` of a 405. OPTIONS is never listed: the CORS
 * plugin's catch-all OPTIONS route answers preflights on every path, which does not make a
 * path exist, and plain OPTIONS requests it hands to the 404 handler.
 */
export function allowedMethods(request: FastifyRequest): string[] {
  const fastify = request.server;
  const url = request.url.split('?', 1)[0] ?? '';
  // The router answers a URL it cannot read with its bad-URL handler, which is not a route.
  if (!url.startsWith('/')) return [];
  return fastify.supportedMethods.filter((method) => {
    if (method === 'OPTIONS') return false;
    try {
      return fastify.findRoute({ method, url }) !== null;
    } catch {
      return false; // a URL the router cannot decode matches nothing
    }
  });
}
