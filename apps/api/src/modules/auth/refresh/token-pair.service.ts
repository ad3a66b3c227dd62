import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { RefreshTokenRepository } from '@app/database';
import { invalidRefreshToken } from '../auth.errors.js';
import { AccessTokenService } from '../tokens/access-token.service.js';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

export interface TokenSubject {
  userId: string;
  email: string;
}

// 256 random bits; only the SHA-256 of a refresh token is ever stored.
const newRefreshToken = (): string => randomBytes(32).toString('base64url');
const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/**
 * Issues access + refresh token pairs and rotates refresh tokens (RFC 9700): every refresh spends
 * the presented token; presenting a spent one revokes its whole family.
 */
@Injectable()
export class TokenPairService {
  private readonly logger = new Logger(TokenPairService.name);

  constructor(
    private readonly tokens: RefreshTokenRepository,
    private readonly accessTokens: AccessTokenService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A new login: a new refresh-token family. */
  issue(subject: TokenSubject): Promise<TokenPair> {
    return this.issueInFamily(subject, randomUUID(), new Date());
  }

  async refresh(
    refreshToken: string,
    email: (userId: string) => Promise<string>,
  ): Promise<TokenPair> {
    const now = new Date();
    const tokenHash = hashToken(String(refreshToken));
    const spent = await this.tokens.consume(tokenHash, now);
    if (spent === null) {
      const known = await this.tokens.findByHash(tokenHash);
      if (known !== null && known.usedAt !== null) {
        // A spent token came back: someone holds a copy. Kill the family, thief and owner alike.
        await this.tokens.revokeFamily(known.familyId, now);
        this.logger.warn(`refresh token reuse detected; family of user ${known.userId} revoked`);
      }
      throw invalidRefreshToken();
    }
    const pair = await this.issueInFamily(
      { userId: spent.userId, email: await email(spent.userId) },
      spent.familyId,
      now,
    );
    // A concurrent reuse may have revoked the family while we issued: the new token dies too.
    if (await this.tokens.isFamilyRevoked(spent.familyId)) {
      await this.tokens.revokeFamily(spent.familyId, now);
      throw invalidRefreshToken();
    }
    return pair;
  }

  /** Ends the login the token belongs to. Unknown tokens are ignored: logout always succeeds. */
  async logout(refreshToken: string): Promise<void> {
    const known = await this.tokens.findByHash(hashToken(String(refreshToken)));
    if (known !== null) await this.tokens.revokeFamily(known.familyId, new Date());
  }

  private async issueInFamily(
    subject: TokenSubject,
    familyId: string,
    now: Date,
  ): Promise<TokenPair> {
    const refreshToken = newRefreshToken();
    const ttlMs = this.config.auth.refreshTokenTtlSeconds * 1000;
    await this.tokens.create({
      userId: subject.userId,
      familyId,
      tokenHash: hashToken(refreshToken),
      expiresAt: new Date(now.getTime() + ttlMs),
    });
    const access = await this.accessTokens.signUserToken(subject, now);
    return {
      accessToken: access.token,
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: access.expiresIn,
    };
  }
}
