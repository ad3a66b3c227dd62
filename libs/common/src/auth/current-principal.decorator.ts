import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { AppError } from '../errors/index.js';
import type { DevicePrincipal, Principal, UserPrincipal } from './principal.js';

const principalOf = (ctx: ExecutionContext): Principal => {
  const request = ctx.switchToHttp().getRequest<{ user?: Principal }>();
  // Only reachable if a route forgot its declaration; refuse rather than run unauthenticated.
  if (request.user === undefined) throw new AppError('UNAUTHENTICATED', 'Authentication required');
  return request.user;
};

/** The authenticated caller, user or device. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Principal => principalOf(ctx),
);

/** The authenticated user; the route must accept user tokens only. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): UserPrincipal => {
    const principal = principalOf(ctx);
    if (principal.kind !== 'user') throw new AppError('FORBIDDEN', 'A user token is required');
    return principal;
  },
);

/** The authenticated device; the route must accept device tokens only. */
export const CurrentDevice = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): DevicePrincipal => {
    const principal = principalOf(ctx);
    if (principal.kind !== 'device') throw new AppError('FORBIDDEN', 'A device token is required');
    return principal;
  },
);
