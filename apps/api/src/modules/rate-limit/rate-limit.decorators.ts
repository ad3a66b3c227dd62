import { SetMetadata, applyDecorators } from '@nestjs/common';
import { ApiTooManyRequestsResponse } from '@nestjs/swagger';

/** Route metadata that puts a route under the credentials throttler (see throttler-options.ts). */
export const CREDENTIALS_RATE_LIMIT_KEY = 'sharexpress:credentialsRateLimit';
/** Route metadata that puts a route under the pairing-poll throttler. */
export const PAIRING_POLL_RATE_LIMIT_KEY = 'sharexpress:pairingPollRateLimit';

/**
 * Puts a route under the stricter credentials limit as well (RATE_LIMIT_AUTH_MAX per
 * RATE_LIMIT_AUTH_WINDOW_SECONDS, per route and client): register, login, refresh, pairing claims.
 */
export const CredentialsRateLimit = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(CREDENTIALS_RATE_LIMIT_KEY, true),
    ApiTooManyRequestsResponse({
      description: 'Too many attempts (RATE_LIMITED); see Retry-After.',
    }),
  );

/**
 * Puts a route under the pairing-poll limit as well (RATE_LIMIT_POLL_MAX per
 * RATE_LIMIT_AUTH_WINDOW_SECONDS, per route and client): a device polls every few seconds, which
 * the credentials limit would refuse, yet a flood of polls is still cut off.
 */
export const PairingPollRateLimit = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(PAIRING_POLL_RATE_LIMIT_KEY, true),
    ApiTooManyRequestsResponse({ description: 'Too many polls (RATE_LIMITED); see Retry-After.' }),
  );
