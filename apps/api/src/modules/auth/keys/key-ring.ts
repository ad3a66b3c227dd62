import { createHash, type KeyObject, createPublicKey } from 'node:crypto';

/** A public key as published in the JWKS document. */
export interface PublicJwk {
  kty: 'RSA';
  kid: string;
  alg: 'RS256';
  use: 'sig';
  n: string;
  e: string;
}

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

const rsaComponents = (publicKey: KeyObject): { n: string; e: string } => {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.kty !== 'RSA' || typeof jwk.n !== 'string' || typeof jwk.e !== 'string') {
    throw new Error('JWT keys must be RSA keys');
  }
  return { n: jwk.n, e: jwk.e };
};

/** RFC 7638 JWK thumbprint (SHA-256, base64url) of an RSA public key. */
export function jwkThumbprint(publicKey: KeyObject): string {
  const { n, e } = rsaComponents(publicKey);
  // Required members only, in lexicographic order, no whitespace.
  const canonical = JSON.stringify({ e, kty: 'RSA', n });
  return createHash('sha256').update(canonical).digest('base64url');
}

/**
 * The active signing key plus every verification-only key, indexed by kid. Tokens are verified
 * with the key their `kid` names, and only with it.
 */
export class KeyRing {
  private readonly verification = new Map<string, KeyObject>();
  readonly jwks: { keys: PublicJwk[] };

  constructor(
    readonly active: SigningKey,
    extra: readonly { kid: string; publicKeyPem: string }[],
  ) {
    this.verification.set(active.kid, active.publicKey);
    for (const { kid, publicKeyPem } of extra) {
      // The active key wins a kid clash: a stale entry must not shadow it.
      if (!this.verification.has(kid)) this.verification.set(kid, createPublicKey(publicKeyPem));
    }
    const keys = [...this.verification].map(([kid, key]): PublicJwk => ({
      kty: 'RSA',
      kid,
      alg: 'RS256',
      use: 'sig',
      ...rsaComponents(key),
    }));
    this.jwks = { keys };
  }

  verificationKey(kid: string): KeyObject | undefined {
    return this.verification.get(kid);
  }
}
