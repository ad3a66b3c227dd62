import type { ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import type { ThrottlerModuleOptions } from '@nestjs/throttler';
import { routeMetadata } from '@app/common';
import type { AppConfig } from '@app/config';
import type { RateLimitRepository } from '@app/database';
import { MongoThrottlerStorage } from './mongo-throttler.storage.js';
import { ReservingThrottlerStorage } from './reserving-throttler.storage.js';
import { RoutingThrottlerStorage } from './routing-throttler.storage.js';
import {
  CREDENTIALS_RATE_LIMIT_KEY,
  PAIRING_POLL_RATE_LIMIT_KEY,
} from './rate-limit.decorators.js';

/** Every route, one budget per client across all routes (RATE_LIMIT_MAX per RATE_LIMIT_WINDOW_SECONDS). */
export const DEFAULT_THROTTLER = 'default';
/** Routes marked `@CredentialsRateLimit()`, per route and client. */
export const CREDENTIALS_THROTTLER = 'credentials';
/** Routes marked `@PairingPollRateLimit()`, per route and client, in the credentials window. */
export const PAIRING_POLL_THROTTLER = 'pairingPoll';

// Defaults when the config carries no setting (loadConfig always sets them).
const CREDENTIALS_LIMIT = 10;
const CREDENTIALS_WINDOW_SECONDS = 60;
const POLL_LIMIT = 30;

// Asked on every request by the skipIf below; the route's metadata is read once (routeMetadata).
const marked = (reflector: Reflector, key: string): ((context: ExecutionContext) => boolean) => {
  const metadata = routeMetadata<boolean>(reflector, key);
  return (context) => metadata(context) === true;
};

export function throttlerOptions(
  config: AppConfig,
  limits: RateLimitRepository,
  reflector: Reflector,
): ThrottlerModuleOptions {
  const { rateLimit } = config;
  const isCredentialsRoute = marked(reflector, CREDENTIALS_RATE_LIMIT_KEY);
  const isPollRoute = marked(reflector, PAIRING_POLL_RATE_LIMIT_KEY);
  const credentialsWindowMs =
    (rateLimit.credentialsWindowSeconds ?? CREDENTIALS_WINDOW_SECONDS) * 1000;
  // The per-client budget of every route is the hot one: it counts in reserved shares, with no
  // round trip for most requests. Credentials and pairing polls are few and small budgets where
  // every attempt must count at once: one shared hit per request, as before.
  const storage = new RoutingThrottlerStorage(
    new Map([[DEFAULT_THROTTLER, new ReservingThrottlerStorage(limits)]]),
    new MongoThrottlerStorage(limits),
  );
  return {
    storage,
    throttlers: [
      {
        name: DEFAULT_THROTTLER,
        limit: rateLimit.defaultLimit,
        ttl: rateLimit.defaultWindowSeconds * 1000,
        // One budget per client across all routes, not one per route.
        generateKey: (_context, tracker, name) => `${name}:${tracker}`,
      },
      {
        name: CREDENTIALS_THROTTLER,
        limit: rateLimit.credentialsLimit ?? CREDENTIALS_LIMIT,
        ttl: credentialsWindowMs,
        skipIf: (context) => !isCredentialsRoute(context),
      },
      {
        name: PAIRING_POLL_THROTTLER,
        limit: rateLimit.pollLimit ?? POLL_LIMIT,
        ttl: credentialsWindowMs,
        skipIf: (context) => !isPollRoute(context),
      },
    ],
  };
}
