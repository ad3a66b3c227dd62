import type { ExecutionContext, Type } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';

/**
 * A route's metadata under `key` (the handler's, else its class's: Reflector.getAllAndOverride),
 * looked up once per route instead of on every request. Decorator metadata is fixed once the
 * app is built, so the first answer for a route is its answer for good.
 */
export function routeMetadata<T>(
  reflector: Reflector,
  key: string,
): (context: ExecutionContext) => T | undefined {
  const byHandler = new WeakMap<object, WeakMap<object, { value: T | undefined }>>();
  return (context) => {
    const handler = context.getHandler();
    const cls: Type = context.getClass();
    let byClass = byHandler.get(handler);
    if (byClass === undefined) {
      byClass = new WeakMap();
      byHandler.set(handler, byClass);
    }
    let entry = byClass.get(cls);
    if (entry === undefined) {
      entry = { value: reflector.getAllAndOverride<T | undefined>(key, [handler, cls]) };
      byClass.set(cls, entry);
    }
    return entry.value;
  };
}
