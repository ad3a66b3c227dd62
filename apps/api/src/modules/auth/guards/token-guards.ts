import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { ExtractJwt } from 'passport-jwt';
import { AppError, type Principal } from '@app/common';
import { DEVICE_JWT_STRATEGY } from '../strategies/device-jwt.strategy.js';
import { USER_JWT_STRATEGY } from '../strategies/user-jwt.strategy.js';
import { claimsDeviceAudience } from '../tokens/token-claims.js';
import {
  BEARER_CHALLENGE,
  challenge,
  INVALID_TOKEN_CHALLENGE,
  presentsBearerToken,
} from './bearer-challenge.js';

// Passport reports why a token failed through `info`; the client only learns that it did.
// A refusal challenges for a Bearer token (RFC 6750); a failing dependency stays an error.
const rethrowOrRefuse = (err: unknown, user: unknown, context: ExecutionContext): Principal => {
  if (err instanceof Error) throw err;
  if (err !== null && err !== undefined && err !== false) {
    throw new Error('authentication failed unexpectedly', { cause: err });
  }
  if (typeof user !== 'object' || user === null) {
    challenge(context, presentsBearerToken(context) ? INVALID_TOKEN_CHALLENGE : BEARER_CHALLENGE);
    throw new AppError('UNAUTHENTICATED', 'A valid access token is required');
  }
  return user as Principal;
};

/** A passport guard for `strategies` that answers every failure with the same 401. */
function tokenGuard(strategies: string | string[]) {
  @Injectable()
  class TokenGuard extends AuthGuard(strategies) {
    override handleRequest<T = Principal>(
      err: unknown,
      user: unknown,
      _info: unknown,
      context: ExecutionContext,
    ): T {
      return rethrowOrRefuse(err, user, context) as T;
    }
  }
  return TokenGuard;
}

@Injectable()
export class UserTokenGuard extends tokenGuard(USER_JWT_STRATEGY) {}

@Injectable()
export class DeviceTokenGuard extends tokenGuard(DEVICE_JWT_STRATEGY) {}

// The strategies' own extractor, so that both read the same token.
const bearerToken = ExtractJwt.fromAuthHeaderAsBearerToken();

/**
 * For routes that take either kind. The token's unverified audience picks the one strategy that
 * could accept it, which then verifies everything (signature, audience, expiry, the device's
 * standing). Each strategy accepts its own audience only, so the outcome is the one trying both
 * in turn gave; but a device token costs one RS256 check instead of a failed user check first.
 */
@Injectable()
export class AnyTokenGuard implements CanActivate {
  constructor(
    private readonly userGuard: UserTokenGuard,
    private readonly deviceGuard: DeviceTokenGuard,
  ) {}

  canActivate(context: ExecutionContext): Promise<boolean> {
    const token = bearerToken(context.switchToHttp().getRequest());
    const device = token !== null && claimsDeviceAudience(token);
    return (device ? this.deviceGuard : this.userGuard).canActivate(context) as Promise<boolean>;
  }
}
