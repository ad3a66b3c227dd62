import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-jwt';
import { APP_CONFIG, type AppConfig } from '@app/config';
import type { UserPrincipal } from '@app/common';
import { KeyRing } from '../keys/key-ring.js';
import { toUserPrincipal, USER_AUDIENCE } from '../tokens/token-claims.js';
import { jwtStrategyOptions } from './jwt-strategy-options.js';

export const USER_JWT_STRATEGY = 'user-jwt';

/** Verifies user access tokens (audience sharexpress:user). */
@Injectable()
export class UserJwtStrategy extends PassportStrategy(Strategy, USER_JWT_STRATEGY) {
  constructor(keys: KeyRing, @Inject(APP_CONFIG) config: AppConfig) {
    super(jwtStrategyOptions(keys, config, USER_AUDIENCE));
  }

  validate(payload: unknown): UserPrincipal | null {
    return toUserPrincipal(payload);
  }
}
