import type { ExecutionContext, Type } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import type {
  Resolvable,
  ThrottlerGenerateKeyFunction,
  ThrottlerGetTrackerFunction,
  ThrottlerOptions,
} from '@nestjs/throttler';
// The metadata keys of @Throttle / @SkipThrottle. The package does not re-export them; taken
// from the installed version, they cannot drift from what its decorators write.
import {
  THROTTLER_BLOCK_DURATION,
  THROTTLER_KEY_GENERATOR,
  THROTTLER_LIMIT,
  THROTTLER_SKIP,
  THROTTLER_TRACKER,
  THROTTLER_TTL,
} from '@nestjs/throttler/dist/throttler.constants.js';

/** One throttler as it applies to one route, its decorators' overrides taken in. */
export interface RouteThrottler {
  throttler: ThrottlerOptions & { name: string };
  /** Asked per request (it may look at the request); ours only read route metadata. */
  skipIf: ((context: ExecutionContext) => boolean) | undefined;
  limit: Resolvable<number>;
  ttl: Resolvable<number>;
  /** Undefined: the ttl, as in ThrottlerGuard. */
  blockDuration: Resolvable<number> | undefined;
  getTracker: ThrottlerGetTrackerFunction;
  generateKey: ThrottlerGenerateKeyFunction;
}

export interface GuardDefaults {
  skipIf?: (context: ExecutionContext) => boolean;
  getTracker: ThrottlerGetTrackerFunction;
  generateKey: ThrottlerGenerateKeyFunction;
}

/**
 * What ThrottlerGuard.canActivate works out from a route's metadata on every request (skip,
 * limit, ttl, block duration, tracker, key generator per throttler), worked out once for the
 * route. Throttlers that @SkipThrottle turns off for the route are left out.
 */
export function routeThrottlers(
  reflector: Reflector,
  throttlers: readonly (ThrottlerOptions & { name: string })[],
  defaults: GuardDefaults,
  handler: ReturnType<ExecutionContext['getHandler']>,
  classRef: Type,
): RouteThrottler[] {
  // Same lookups as the base class: the handler's, else the class's.
  const meta = <T>(prefix: string, name: string): T | undefined =>
    reflector.getAllAndOverride<T | undefined>(prefix + name, [handler, classRef]);
  return throttlers
    .filter((throttler) => !meta<boolean>(THROTTLER_SKIP, throttler.name))
    .map((throttler) => ({
      throttler,
      skipIf: throttler.skipIf ?? defaults.skipIf,
      limit: meta<Resolvable<number>>(THROTTLER_LIMIT, throttler.name) ?? throttler.limit,
      ttl: meta<Resolvable<number>>(THROTTLER_TTL, throttler.name) ?? throttler.ttl,
      blockDuration:
        meta<Resolvable<number>>(THROTTLER_BLOCK_DURATION, throttler.name) ??
        throttler.blockDuration,
      getTracker:
        meta<ThrottlerGetTrackerFunction>(THROTTLER_TRACKER, throttler.name) ??
        throttler.getTracker ??
        defaults.getTracker,
      generateKey:
        meta<ThrottlerGenerateKeyFunction>(THROTTLER_KEY_GENERATOR, throttler.name) ??
        throttler.generateKey ??
        defaults.generateKey,
    }));
}
