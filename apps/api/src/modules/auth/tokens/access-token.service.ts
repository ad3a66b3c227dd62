import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { APP_CONFIG, type AppConfig } from '@app/config';
import type { Permission } from '@app/common';
import { randomUUID } from 'node:crypto';
import { KeyRing } from '../keys/key-ring.js';
import {
  ACCESS_TOKEN_TYPE,
  DEVICE_AUDIENCE,
  TOKEN_ALGORITHM,
  USER_AUDIENCE,
  type DeviceTokenClaims,
  type UserTokenClaims,
} from './token-claims.js';

export interface SignedToken {
  token: string;
  expiresAt: Date;
  /** Seconds until expiry, as sent in `expiresIn`. */
  expiresIn: number;
}

export interface DeviceTokenRequest {
  deviceId: string;
  sessionId: string;
  permissions: Permission[];
  /** The token's expiry: the session's, so it never outlives it. */
  notAfter: Date;
}

/** Signs RS256 access tokens with the active key. Verification lives in the strategies. */
@Injectable()
export class AccessTokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly keys: KeyRing,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  signUserToken(user: { userId: string; email: string }, now = new Date()): Promise<SignedToken> {
    const claims: UserTokenClaims = { sub: user.userId, email: user.email };
    const ttl = this.config.auth.accessTokenTtlSeconds;
    return this.sign(claims, USER_AUDIENCE, now, new Date(now.getTime() + ttl * 1000));
  }

  /**
   * For the pairing flow: a token for one session that expires with it (`exp` = `notAfter`, the
   * session's expiresAt, rounded down to the second). It need not be short-lived: the device and
   * its session are checked on every request, so revocation and close take effect at once.
   */
  signDeviceToken(request: DeviceTokenRequest, now = new Date()): Promise<SignedToken> {
    const claims: DeviceTokenClaims = {
      sub: request.deviceId,
      sid: request.sessionId,
      perms: [...request.permissions],
    };
    return this.sign(claims, DEVICE_AUDIENCE, now, request.notAfter);
  }

  private async sign(
    claims: UserTokenClaims | DeviceTokenClaims,
    audience: string,
    now: Date,
    expiresAt: Date,
  ): Promise<SignedToken> {
    const iat = Math.floor(now.getTime() / 1000);
    const exp = Math.floor(expiresAt.getTime() / 1000);
    const { kid, privateKey } = this.keys.active;
    const token = await this.jwt.signAsync(
      { ...claims, iat, exp },
      {
        algorithm: TOKEN_ALGORITHM,
        privateKey,
        header: { alg: TOKEN_ALGORITHM, typ: ACCESS_TOKEN_TYPE, kid },
        issuer: this.config.auth.issuer,
        audience,
        jwtid: randomUUID(),
      },
    );
    return { token, expiresAt: new Date(exp * 1000), expiresIn: Math.max(0, exp - iat) };
  }
}
