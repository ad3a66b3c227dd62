import type { ExecutionContext } from '@nestjs/common';

// RFC 6750 section 3: a 401 names the scheme; `invalid_token` only when a token was presented
// (a request without credentials gets no error code), `insufficient_scope` on a 403.
export const BEARER_CHALLENGE = 'Bearer';
export const INVALID_TOKEN_CHALLENGE = 'Bearer error="invalid_token"';
export const INSUFFICIENT_SCOPE_CHALLENGE = 'Bearer error="insufficient_scope"';

interface HeaderRequest {
  headers?: Record<string, string | string[] | undefined>;
}

interface HeaderReply {
  header?: (name: string, value: string) => unknown;
}

/** Whether the request carries `Authorization: Bearer <something>`. */
export function presentsBearerToken(context: ExecutionContext): boolean {
  const value = context.switchToHttp().getRequest<HeaderRequest>().headers?.authorization;
  return typeof value === 'string' && /^bearer\s+\S/i.test(value);
}

/** Sets WWW-Authenticate on the reply the error filter is about to send. */
export function challenge(context: ExecutionContext, value: string): void {
  const reply = context.switchToHttp().getResponse<HeaderReply>();
  if (typeof reply.header === 'function') reply.header('www-authenticate', value);
}
