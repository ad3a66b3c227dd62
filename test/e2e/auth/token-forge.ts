// Builds tokens the way an attacker (or a second issuer) would, for the token-attack specs.
import { createHmac, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';

export const rsaKeyPair = (): { privateKey: KeyObject; publicKey: KeyObject; pem: string } => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey,
    publicKey,
    pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
};

export interface ForgeOptions {
  key: KeyObject;
  kid: string;
  issuer: string;
  audience: string;
  typ?: string;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
}

export function signToken(claims: JWTPayload, options: ForgeOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const expiresIn = options.expiresIn ?? 600;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', typ: options.typ ?? 'at+jwt', kid: options.kid })
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setIssuedAt(Math.min(now, now + expiresIn - 60))
    .setExpirationTime(now + expiresIn)
    .sign(options.key);
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

export const decodePart = (token: string, index: 0 | 1): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[index] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;

/** The same header and claims with `alg: none` and no signature. */
export function unsigned(token: string): string {
  const header = { ...decodePart(token, 0), alg: 'none' };
  return `${b64(header)}.${token.split('.')[1] ?? ''}.`;
}

/** The classic confusion attack: HS256 with the server's public key (PEM) as the HMAC secret. */
export function hmacWithPublicKey(token: string, publicKeyPem: string): string {
  const header = { ...decodePart(token, 0), alg: 'HS256' };
  const input = `${b64(header)}.${token.split('.')[1] ?? ''}`;
  return `${input}.${createHmac('sha256', publicKeyPem).update(input).digest('base64url')}`;
}

/** Changes a claim but keeps the original signature. */
export function tampered(token: string, changes: Record<string, unknown>): string {
  const [header, , signature] = token.split('.');
  return `${header ?? ''}.${b64({ ...decodePart(token, 1), ...changes })}.${signature ?? ''}`;
}
