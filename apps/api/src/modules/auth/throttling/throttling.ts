import { SetMetadata, applyDecorators, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiTooManyRequestsResponse } from '@nestjs/swagger';
import type { ThrottlerModuleOptions } from '@nestjs/throttler';
import type { AppConfig } from '@app/config';
import type { RateLimitRepository } from '@app/database';
import { MongoThrottlerStorage } from './mongo-throttler.storage.js';

export const DEFAULT_THROTTLER = 'default';
/** The stricter throttler for credential endpoints (register, login, refresh, pairing claims). */
export const CREDENTIALS_THROTTLER = 'credentials';
const CREDENTIALS_KEY = 'sharexpress:credentialsThrottle';

// Defaults when the config carries no stricter setting.
const CREDENTIALS_LIMIT = 10;
const CREDENTIALS_WINDOW_SECONDS = 60;

/** Puts a route under the stricter credentials limit (per route and client) as well. */
export const CredentialsRateLimit = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(CREDENTIALS_KEY, true),
    ApiTooManyRequestsResponse({ description: 'Too many attempts; see Retry-After.' }),
  );

const reflector = new Reflector();
const isCredentialsRoute = (context: ExecutionContext): boolean =>
  reflector.getAllAndOverride<boolean | undefined>(CREDENTIALS_KEY, [
    context.getHandler(),
    context.getClass(),
  ]) === true;

export function throttlerOptions(
  config: AppConfig,
  limits: RateLimitRepository,
): ThrottlerModuleOptions {
  const { rateLimit } = config;
  return {
    storage: new MongoThrottlerStorage(limits),
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
        ttl: (rateLimit.credentialsWindowSeconds ?? CREDENTIALS_WINDOW_SECONDS) * 1000,
        skipIf: (context) => !isCredentialsRoute(context),
      },
    ],
  };
}
