import { Injectable, Logger, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  AppError,
  IS_PUBLIC_KEY,
  PRINCIPAL_KINDS_KEY,
  routeMetadata,
  type PrincipalKind,
} from '@app/common';
import { BEARER_CHALLENGE, challenge } from './bearer-challenge.js';
import { AnyTokenGuard, DeviceTokenGuard, UserTokenGuard } from './token-guards.js';

/**
 * Global guard, deny by default: a route is reachable only if it is `@Public()` or declares the
 * kinds of principal it accepts (`@Auth(...)`, `@Permissions(...)`). It never turns an error into
 * a pass: a bad token is 401, a failing dependency stays an error.
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  private readonly logger = new Logger(AuthenticationGuard.name);
  private readonly isPublic: (context: ExecutionContext) => boolean | undefined;
  private readonly kindsOf: (context: ExecutionContext) => PrincipalKind[] | undefined;

  constructor(
    reflector: Reflector,
    private readonly userGuard: UserTokenGuard,
    private readonly deviceGuard: DeviceTokenGuard,
    private readonly anyGuard: AnyTokenGuard,
  ) {
    this.isPublic = routeMetadata(reflector, IS_PUBLIC_KEY);
    this.kindsOf = routeMetadata(reflector, PRINCIPAL_KINDS_KEY);
  }

  canActivate(context: ExecutionContext): Promise<boolean> | boolean {
    if (this.isPublic(context) === true) return true;
    const kinds = this.kindsOf(context);
    if (kinds === undefined || kinds.length === 0) {
      this.logger.warn(
        `${context.getClass().name}.${context.getHandler().name} declares no access; refused`,
      );
      challenge(context, BEARER_CHALLENGE);
      throw new AppError('UNAUTHENTICATED', 'This route accepts no credentials');
    }
    const user = kinds.includes('user');
    const device = kinds.includes('device');
    if (user && device) return this.anyGuard.canActivate(context);
    return (device ? this.deviceGuard : this.userGuard).canActivate(context) as Promise<boolean>;
  }
}
