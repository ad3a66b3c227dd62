import type { AppConfig } from '@app/config';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { genReqId } from './request-id.js';

/** JSON bodies above this are refused with 413; file bytes never pass through the API. */
export const BODY_LIMIT_BYTES = 64 * 1024;

// A hop count means "trust the n nearest proxies", as Fastify itself implements it.
function trustProxyOption(
  value: AppConfig['trustProxy'],
): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof value === 'number' ? (_address, hop) => hop < value : value;
}

/** The Fastify adapter both apps run on: small bodies, bounded timeouts, sane request ids. */
export function createFastifyAdapter(config: AppConfig): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: trustProxyOption(config.trustProxy),
    // Our genReqId validates the client's x-request-id; Fastify must not take it verbatim.
    requestIdHeader: false,
    genReqId,
    // Slow or idle clients cannot hold sockets forever.
    connectionTimeout: 60_000,
    requestTimeout: 30_000,
    keepAliveTimeout: 65_000,
    return503OnClosing: true,
    logger: false,
  });
}
