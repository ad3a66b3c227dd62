// What other feature modules may use of auth; everything else stays inside it.
export { AuthModule } from './auth.module.js';
export { AccessTokenService, type SignedToken } from './tokens/access-token.service.js';
export { PairingSecrets } from './keys/pairing-secrets.js';
