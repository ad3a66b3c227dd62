import { AsyncLocalStorage } from 'node:async_hooks';

interface RequestLogContext {
  reqId: string;
}

const storage = new AsyncLocalStorage<RequestLogContext>();

/**
 * The request a log line is written for, without a child logger per request: `run()` opens the
 * request's scope once (a Fastify hook), and pino's `mixin` (`requestLogFields`) adds its id to
 * each line at the moment one is written. A request that logs nothing costs one scope, no
 * logger object and no serialized bindings.
 */
export function runInRequestLogContext(reqId: string, next: () => void): void {
  storage.run({ reqId }, next);
}

/**
 * pino `mixin`: `{ reqId }` inside a request's scope, nothing outside. A new object each time:
 * pino merges the line's own fields into it.
 */
export function requestLogFields(): Record<string, string> {
  const context = storage.getStore();
  return context === undefined ? {} : { reqId: context.reqId };
}
