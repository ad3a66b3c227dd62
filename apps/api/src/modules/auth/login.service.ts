import { Injectable, type OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { UserRepository } from '@app/database';
import { invalidCredentials, invalidRefreshToken, normalizeEmail } from './auth.errors.js';
import { hashPassword, verifyPassword } from './passwords/password-hasher.js';
import { TokenPairService, type TokenPair } from './refresh/token-pair.service.js';

/** Password login and refresh; both answer the same 401 whatever went wrong. */
@Injectable()
export class LoginService implements OnModuleInit {
  // Hashed against for unknown emails, so they cost the same time as a wrong password.
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly users: UserRepository,
    private readonly pairs: TokenPairService,
  ) {}

  onModuleInit(): void {
    this.dummyHash = hashPassword(randomBytes(16).toString('hex'));
  }

  async login(email: string, password: string): Promise<TokenPair> {
    const user = await this.users.findByEmail(normalizeEmail(email));
    const stored = user?.passwordHash ?? (await (this.dummyHash ?? hashPassword('unused')));
    const matches = await verifyPassword(String(password), stored);
    if (user === null || !matches) throw invalidCredentials();
    return this.pairs.issue({ userId: user.id, email: user.email });
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
}
