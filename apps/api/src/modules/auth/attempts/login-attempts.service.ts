import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { LoginAttemptRepository, type LoginAttemptRecord } from '@app/database';
import { loginDelayed } from '../auth.errors.js';
import { loginDelayMs, type LoginDelayPolicy } from './login-delay.js';

// Rounds of compare-and-set before a contended account is answered as delayed. Each round lets
// at least one concurrent attempt through, so bursts within the free failures always resolve.
const MAX_ROUNDS = 16;

/** The store's key for an account: no email address is kept in the attempts collection. */
export const accountKey = (normalizedEmail: string): string =>
  createHash('sha256').update(`login:${normalizedEmail}`).digest('hex');

/**
 * Per-account limit on password guesses, shared by every replica through MongoDB. An attempt is
 * counted as a failure *before* its password is checked (one compare-and-set), so concurrent
 * guesses from many addresses are counted exactly; a good login then clears the count. While
 * an account's delay runs, attempts are refused with 429 LOGIN_DELAYED and Retry-After without
 * spending a hash, and are not counted (refusals never extend the delay). Unknown emails are
 * counted the same way, so the answer never tells whether an account exists.
 */
@Injectable()
export class LoginAttemptsService {
  /** The clock; specs replace it. */
  now: () => Date = () => new Date();
  private readonly policy: LoginDelayPolicy;

  constructor(
    private readonly attempts: LoginAttemptRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.policy = config.auth.loginDelay;
  }

  /** Counts one attempt for `normalizedEmail`, or throws LOGIN_DELAYED while its delay runs. */
  async reserve(normalizedEmail: string): Promise<void> {
    const key = accountKey(normalizedEmail);
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const now = this.now();
      const stored = await this.attempts.find(key);
      // Past expiresAt a count is forgotten, even before the TTL monitor removes it.
      const live = stored !== null && stored.expiresAt > now ? stored : null;
      if (live !== null && live.nextAttemptAt > now) {
        throw loginDelayed(Math.ceil((live.nextAttemptAt.getTime() - now.getTime()) / 1000));
      }
      if (await this.attempts.replace(key, stored, this.afterOneMore(live, now))) return;
    }
    // Heavy contention on one account is itself a burst of guesses.
    throw loginDelayed(1);
  }

  /** A good login: the account's count starts over. */
  succeeded(normalizedEmail: string): Promise<void> {
    return this.attempts.clear(accountKey(normalizedEmail));
  }

  private afterOneMore(live: LoginAttemptRecord | null, now: Date): LoginAttemptRecord {
    const failures = (live?.failures ?? 0) + 1;
    const nextAttemptAt = new Date(now.getTime() + loginDelayMs(failures, this.policy));
    return {
      failures,
      nextAttemptAt,
      expiresAt: new Date(nextAttemptAt.getTime() + this.policy.memorySeconds * 1000),
    };
  }
}
