import { Injectable, type OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { normalizeEmail } from '@app/common';
import { UserRepository } from '@app/database';
import { LoginAttemptsService } from './attempts/login-attempts.service.js';
import { invalidCredentials, invalidRefreshToken } from './auth.errors.js';
import { PasswordHasher } from './passwords/password-hasher.js';
import { TokenPairService, type TokenPair } from './refresh/token-pair.service.js';

/**
 * Password login and refresh; both answer the same 401 whatever went wrong. A login first takes
 * a place in the hashing queue (503 CREDENTIALS_BUSY when it is full), then counts the attempt
 * against the account (429 LOGIN_DELAYED while its delay runs), and only then spends a hash.
 */
@Injectable()
export class LoginService implements OnModuleInit {
  // Verified against for unknown emails, so they cost one derivation at the configured cost, as
  // a wrong password does. Made at boot (and awaited: a cost the machine cannot run fails the
  // boot, not the first login), so not even the first unknown email costs a hash more.
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly users: UserRepository,
    private readonly pairs: TokenPairService,
    private readonly passwords: PasswordHasher,
    private readonly attempts: LoginAttemptsService,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.dummyHashOnce();
  }

  async login(email: string, password: string): Promise<TokenPair> {
    const normalized = normalizeEmail(String(email));
    // Taken before any await, so the queue bound holds however requests interleave.
    const place = this.passwords.admit();
    try {
      await this.attempts.reserve(normalized);
      const user = await this.users.findByEmail(normalized);
      const stored = user?.passwordHash ?? (await this.dummyHashOnce());
      const matches = await this.passwords.verify(String(password), stored, place);
      if (user === null || !matches) throw invalidCredentials();
      await this.attempts.succeeded(normalized);
      return await this.pairs.issue({ userId: user.id, email: user.email });
    } finally {
      place.release();
    }
  }

  refresh(refreshToken: string): Promise<TokenPair> {
    return this.pairs.refresh(refreshToken, async (userId) => {
      const user = await this.users.findById(userId);
      if (user === null) throw invalidRefreshToken();
      return user.email;
    });
  }

  logout(refreshToken: string): Promise<void> {
    return this.pairs.logout(refreshToken);
  }

  private dummyHashOnce(): Promise<string> {
    this.dummyHash ??= this.passwords.hash(randomBytes(16).toString('hex'));
    return this.dummyHash;
  }
}
