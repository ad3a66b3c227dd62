import { isPermission, type DevicePrincipal, type UserPrincipal } from '@app/common';

// Different audiences keep user and device tokens from standing in for each other.
export const USER_AUDIENCE = 'sharexpress:user';
export const DEVICE_AUDIENCE = 'sharexpress:device';
/** RFC 9068 access-token type, set in the JWT header and required on verify. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';
export const TOKEN_ALGORITHM = 'RS256';

export interface UserTokenClaims {
  sub: string;
  email: string;
}

export interface DeviceTokenClaims {
  sub: string;
  sid: string;
  perms: string[];
}

export interface JwtHeader {
  alg?: unknown;
  typ?: unknown;
  kid?: unknown;
}

// One base64url JSON object segment of a compact JWS (0 header, 1 payload); null otherwise.
function decodeSegment(token: string, index: 0 | 1): Record<string, unknown> | null {
  const segments = token.split('.');
  if (segments.length !== 3) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(segments[index] ?? '', 'base64url').toString());
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** Decodes the (unverified) protected header; null when it is not a JSON object. */
export function decodeHeader(token: string): JwtHeader | null {
  return decodeSegment(token, 0);
}

/**
 * Whether a token claims the device audience (and not the user one), read without verifying
 * it: only to pick which strategy verifies it, never to trust it.
 */
export function claimsDeviceAudience(token: string): boolean {
  const aud = decodeSegment(token, 1)?.aud;
  const audiences: unknown[] = Array.isArray(aud) ? aud : [aud];
  return audiences.includes(DEVICE_AUDIENCE) && !audiences.includes(USER_AUDIENCE);
}

// RFC 9068 section 4: compare case-insensitively, with or without the "application/" prefix.
export const isAccessTokenType = (typ: unknown): boolean =>
  typeof typ === 'string' && typ.toLowerCase().replace(/^application\//, '') === ACCESS_TOKEN_TYPE;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

// jsonwebtoken checks `exp` only when it is there: a token without one would never expire, so
// every principal requires it (every token we sign has one).
const expires = (payload: Record<string, unknown>): boolean =>
  typeof payload.exp === 'number' && Number.isFinite(payload.exp);

export function toUserPrincipal(payload: unknown): UserPrincipal | null {
  if (!isRecord(payload) || !expires(payload)) return null;
  const { sub, email } = payload;
  if (typeof sub !== 'string' || sub === '' || typeof email !== 'string') return null;
  return { kind: 'user', userId: sub, email };
}

export function toDevicePrincipal(payload: unknown): DevicePrincipal | null {
  if (!isRecord(payload) || !expires(payload)) return null;
  const { sub, sid, perms } = payload;
  if (typeof sub !== 'string' || sub === '' || typeof sid !== 'string' || sid === '') return null;
  if (!Array.isArray(perms) || !perms.every(isPermission)) return null;
  return { kind: 'device', deviceId: sub, sessionId: sid, permissions: perms };
}
