import type { KeyObject } from 'node:crypto';
import {
  ExtractJwt,
  type SecretOrKeyProvider,
  type StrategyOptionsWithoutRequest,
} from 'passport-jwt';
import type { AppConfig } from '@app/config';
import type { KeyRing } from '../keys/key-ring.js';
import { decodeHeader, isAccessTokenType, TOKEN_ALGORITHM } from '../tokens/token-claims.js';

type KeyCallback = (error: Error | null, key?: KeyObject) => void;

/**
 * Picks the verification key named by the header's kid, after checking the header itself:
 * RS256 only and typ at+jwt. Anything else fails before any signature work is done.
 */
export function keyProvider(keys: KeyRing): SecretOrKeyProvider {
  const provide = (_request: unknown, rawToken: unknown, done: KeyCallback): void => {
    const header = typeof rawToken === 'string' ? decodeHeader(rawToken) : null;
    if (header === null) return done(new Error('malformed token'));
    if (header.alg !== TOKEN_ALGORITHM) return done(new Error('unexpected algorithm'));
    if (!isAccessTokenType(header.typ)) return done(new Error('not an access token'));
    const key = typeof header.kid === 'string' ? keys.verificationKey(header.kid) : undefined;
    if (key === undefined) return done(new Error('unknown key'));
    done(null, key);
  };
  // jsonwebtoken accepts a KeyObject (no PEM parsing per request); the typings only say string.
  return provide as unknown as SecretOrKeyProvider;
}

export function jwtStrategyOptions(
  keys: KeyRing,
  config: AppConfig,
  audience: string,
): StrategyOptionsWithoutRequest {
  return {
    jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
    secretOrKeyProvider: keyProvider(keys),
    // Pinned: the header check above already refuses others, this is the second lock.
    algorithms: [TOKEN_ALGORITHM],
    issuer: config.auth.issuer,
    audience,
    ignoreExpiration: false,
  };
}
