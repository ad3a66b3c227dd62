import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  AppError,
  PERMISSIONS_KEY,
  routeMetadata,
  type Permission,
  type Principal,
} from '@app/common';
import { BEARER_CHALLENGE, challenge, INSUFFICIENT_SCOPE_CHALLENGE } from './bearer-challenge.js';

/**
 * Global guard after authentication: a device must hold every permission the route declares.
 * Users pass here; whether they own the session is checked by the service, next to the query.
 */
@Injectable()
export class PermissionGuard implements CanActivate {
  private readonly requiredOf: (context: ExecutionContext) => Permission[] | undefined;

  constructor(reflector: Reflector) {
    this.requiredOf = routeMetadata(reflector, PERMISSIONS_KEY);
  }

  canActivate(context: ExecutionContext): boolean {
    const required = this.requiredOf(context);
    if (required === undefined || required.length === 0) return true;
    const principal = context.switchToHttp().getRequest<{ user?: Principal }>().user;
    if (principal === undefined) {
      challenge(context, BEARER_CHALLENGE);
      throw new AppError('UNAUTHENTICATED', 'A valid access token is required');
    }
    if (principal.kind === 'user') return true;
    const missing = required.filter((permission) => !principal.permissions.includes(permission));
    if (missing.length > 0) {
      challenge(context, INSUFFICIENT_SCOPE_CHALLENGE);
      throw new AppError('FORBIDDEN', `This device may not ${missing.join(', ')} in this session`);
    }
    return true;
  }
}
