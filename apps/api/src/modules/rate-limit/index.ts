// The shared rate limit. Import from here, never from the files behind it.
export { RateLimitModule } from './rate-limit.module.js';
export { CredentialsRateLimit, PairingPollRateLimit } from './rate-limit.decorators.js';
