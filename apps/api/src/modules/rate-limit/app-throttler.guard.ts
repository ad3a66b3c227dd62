import { Injectable, type ExecutionContext, type Type } from '@nestjs/common';
import {
  ThrottlerGuard,
  type Resolvable,
  type ThrottlerGetTrackerFunction,
  type ThrottlerLimitDetail,
} from '@nestjs/throttler';
import { AppError } from '@app/common';
import { routeThrottlers, type RouteThrottler } from './route-throttlers.js';

/**
 * The throttler guard with our error: 429 problem+json `RATE_LIMITED` and `Retry-After`.
 * The client is `request.ip`, which honours X-Forwarded-For only when TRUST_PROXY says so.
 *
 * It does what ThrottlerGuard.canActivate does, with the route's metadata read once per route
 * instead of seven lookups per throttler per request, and the client's tracker worked out once
 * per request instead of once per throttler. Counting and headers are the base class's
 * (handleRequest).
 */
@Injectable()
export class AppThrottlerGuard extends ThrottlerGuard {
  private readonly routes = new WeakMap<object, WeakMap<object, RouteThrottler[]>>();

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (await this.shouldSkip(context)) return true;
    let tracker: { of: ThrottlerGetTrackerFunction; value: Promise<string> } | undefined;
    let allowed = true;
    for (const route of this.throttlersOf(context)) {
      if (route.skipIf?.(context) === true) continue;
      const { name } = route.throttler;
      const ttl = await resolveNumber(route.ttl, context, 'ttl', name);
      const limit = await resolveNumber(route.limit, context, 'limit', name);
      const blockDuration =
        route.blockDuration === undefined
          ? ttl
          : await resolveNumber(route.blockDuration, context, 'blockDuration', name);
      // Every throttler of a route normally tracks the client the same way: ask once.
      const getTracker: ThrottlerGetTrackerFunction = (req, ctx) => {
        if (tracker?.of !== route.getTracker) {
          tracker = { of: route.getTracker, value: Promise.resolve(route.getTracker(req, ctx)) };
        }
        return tracker.value;
      };
      const passed = await this.handleRequest({
        context,
        limit,
        ttl,
        blockDuration,
        throttler: route.throttler,
        getTracker,
        generateKey: route.generateKey,
      });
      allowed = passed && allowed;
    }
    return allowed;
  }

  // The base class keys IPv6 clients by their /64, so rotating addresses inside one subnet
  // does not buy a fresh budget.
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    if (typeof req.ip !== 'string' || req.ip === '') return 'unknown';
    return super.getTracker(req);
  }

  protected override throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    throw new AppError('RATE_LIMITED', 'Too many requests, slow down', {
      retryAfterSeconds: Math.max(1, detail.timeToBlockExpire),
    });
  }

  // Decorator metadata is fixed once the app is built: the first answer for a route is its
  // answer for good. Keyed by class and handler, since subclasses share inherited handlers.
  private throttlersOf(context: ExecutionContext): RouteThrottler[] {
    const handler = context.getHandler();
    const classRef: Type = context.getClass();
    let byHandler = this.routes.get(classRef);
    if (byHandler === undefined) {
      byHandler = new WeakMap();
      this.routes.set(classRef, byHandler);
    }
    let found = byHandler.get(handler);
    if (found === undefined) {
      found = routeThrottlers(
        this.reflector,
        this.throttlers.map((throttler) => ({ ...throttler, name: throttler.name ?? 'default' })),
        {
          skipIf: this.commonOptions.skipIf,
          // onModuleInit has filled both in (ours, or the options').
          getTracker: this.commonOptions.getTracker ?? ((req) => this.getTracker(req)),
          generateKey:
            this.commonOptions.generateKey ??
            ((ctx, tracker, name) => this.generateKey(ctx, tracker, name)),
        },
        handler,
        classRef,
      );
      byHandler.set(handler, found);
    }
    return found;
  }
}

// As ThrottlerGuard resolves them (its helpers are private): a value or a function of the
// request, a numeric string accepted.
async function resolveNumber(
  value: Resolvable<number>,
  context: ExecutionContext,
  option: string,
  throttlerName: string,
): Promise<number> {
  if (typeof value === 'number' && !Number.isNaN(value)) return value;
  const resolved: unknown = typeof value === 'function' ? await value(context) : value;
  const number =
    typeof resolved === 'string' && resolved.trim() !== '' ? Number(resolved) : resolved;
  if (typeof number !== 'number' || Number.isNaN(number)) {
    throw new Error(
      `Invalid "${option}" for the "${throttlerName}" throttler: expected a number, got ${JSON.stringify(resolved)}.`,
    );
  }
  return number;
}
