import type { AppConfig } from '@app/config';

export type LoginDelayPolicy = AppConfig['auth']['loginDelay'];

/**
 * Milliseconds no password of an account is checked after its `failures`-th counted failure:
 * none for the first `freeFailures`, then `baseSeconds`, doubling with each further failure,
 * capped at `maxSeconds`. With the defaults (5, 1 s, 900 s): failures 1–5 free, then 1, 2, 4 …
 * 512 s, and 900 s from the 16th on, so a guesser gets at most one try per 15 minutes.
 */
export function loginDelayMs(failures: number, policy: LoginDelayPolicy): number {
  const beyond = failures - policy.freeFailures;
  if (beyond <= 0) return 0;
  // 2^(beyond-1) overflows nothing before the cap: the exponent is clamped first.
  const factor = 2 ** Math.min(beyond - 1, 40);
  return Math.min(policy.maxSeconds, policy.baseSeconds * factor) * 1000;
}
