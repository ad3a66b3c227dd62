import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  SkipThrottle,
  Throttle,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
} from '@nestjs/throttler';
import { InMemoryRateLimitRepository } from '../../../../../test/support/fakes/in-memory-rate-limit.repository.js';
import { AppThrottlerGuard } from './app-throttler.guard.js';
import { MongoThrottlerStorage } from './mongo-throttler.storage.js';

class Routes {
  plain(this: void): void {}
  @Throttle({ default: { limit: 2, ttl: 5_000, blockDuration: 9_000 } })
  tight(this: void): void {}
  @SkipThrottle({ strict: true })
  looser(this: void): void {}
}

@SkipThrottle()
class Probes {
  live(this: void): void {}
}

/** A request to `handler` of `classRef`, and the headers the guard set on its reply. */
function request(classRef: new () => object, handler: (this: void) => void, ip = '203.0.113.9') {
  const headers: Record<string, string | number> = {};
  const res = { header: (name: string, value: string | number) => (headers[name] = value) };
  const context = {
    getHandler: () => handler,
    getClass: () => classRef,
    switchToHttp: () => ({ getRequest: () => ({ ip, headers: {} }), getResponse: () => res }),
  } as unknown as ExecutionContext;
  return { context, headers };
}

/** A guard with two throttlers: `default` on every route, `strict` (1 per window) on `Routes`. */
async function guardOf(
  Guard: typeof ThrottlerGuard,
  reflector = new Reflector(),
  trackers: string[] = [],
) {
  const options: ThrottlerModuleOptions = {
    throttlers: [
      { name: 'default', limit: 3, ttl: 60_000 },
      { name: 'strict', limit: 1, ttl: 30_000, skipIf: (c) => c.getClass() !== Routes },
    ],
    getTracker: (req: Record<string, unknown>) => {
      trackers.push(String(req.ip));
      return String(req.ip);
    },
  };
  const guard = new Guard(
    options,
    new MongoThrottlerStorage(new InMemoryRateLimitRepository()),
    reflector,
  );
  await guard.onModuleInit();
  return guard;
}

/** Each answer of a series of requests: allowed or refused, and the headers set. */
async function answers(guard: ThrottlerGuard, calls: ReturnType<typeof request>[]) {
  const seen: { allowed: boolean; headers: Record<string, string | number> }[] = [];
  for (const call of calls) {
    const allowed = await guard.canActivate(call.context).catch(() => false);
    seen.push({ allowed, headers: call.headers });
  }
  return seen;
}

const series = () => [
  ...Array.from({ length: 4 }, () => request(Routes, Routes.prototype.plain)),
  ...Array.from({ length: 4 }, () => request(Routes, Routes.prototype.tight, '198.51.100.1')),
  ...Array.from({ length: 5 }, () => request(Routes, Routes.prototype.looser, '198.51.100.2')),
  ...Array.from({ length: 5 }, () => request(Probes, Probes.prototype.live)),
];

describe('AppThrottlerGuard', () => {
  it('admits, refuses and sets headers exactly as ThrottlerGuard does', async () => {
    const ours = await answers(await guardOf(AppThrottlerGuard), series());
    const base = await answers(await guardOf(ThrottlerGuard), series());
    assert.deepEqual(ours, base);
    // What that is, for the record: strict refuses plain's second request with its own header…
    assert.deepEqual(ours[1], { allowed: false, headers: { 'Retry-After-strict': 30 } });
    // …@Throttle overrides the default limit and block, @SkipThrottle turns a throttler off…
    assert.equal(ours[4]?.headers['X-RateLimit-Limit'], 2);
    assert.deepEqual(
      ours.slice(8, 13).map((a) => a.allowed),
      [true, true, true, false, false],
    );
    assert.deepEqual(ours[11]?.headers, { 'Retry-After': 60 });
    // …and on a class, every route of it.
    assert.deepEqual(
      ours.slice(13).map((a) => [a.allowed, Object.keys(a.headers).length]),
      Array(5).fill([true, 0]),
    );
  });

  it('reads a route’s metadata once, and the client’s tracker once per request', async () => {
    const reflector = new Reflector();
    let lookups = 0;
    const lookup = reflector.getAllAndOverride.bind(reflector);
    reflector.getAllAndOverride = ((key: unknown, targets: never) => {
      lookups += 1;
      return lookup(key as string, targets);
    }) as typeof reflector.getAllAndOverride;
    const trackers: string[] = [];
    const guard = await guardOf(AppThrottlerGuard, reflector, trackers);
    const looser = () => request(Routes, Routes.prototype.looser);
    await guard.canActivate(looser().context);
    const firstTime = lookups;
    assert.ok(firstTime > 0);
    for (let i = 0; i < 2; i++) await guard.canActivate(looser().context);
    assert.equal(lookups, firstTime, 'no lookup after the first request of a route');
    assert.equal(trackers.length, 3, 'one tracker per request');
    // Both throttlers count the plain route: still one tracker for the request.
    await guard.canActivate(request(Routes, Routes.prototype.plain).context);
    assert.equal(trackers.length, 4);
  });
});
