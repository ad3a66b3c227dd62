import { Injectable } from '@nestjs/common';
import { normalizeEmail, normalizeName } from '@app/common';
import { UserRepository, type UserRecord } from '@app/database';
import { accountGone } from './auth.errors.js';
import { PasswordHasher } from './passwords/password-hasher.js';

export interface Registration {
  email: string;
  password: string;
  displayName?: string;
}

/** Registration and the caller's profile. */
@Injectable()
export class AccountsService {
  constructor(
    private readonly users: UserRepository,
    private readonly passwords: PasswordHasher,
  ) {}

  /** Creates an account; a taken email (any case) is a CONFLICT from the unique index. */
  async register(registration: Registration): Promise<UserRecord> {
    const passwordHash = await this.passwords.hash(String(registration.password));
    // The DTO has normalized both already; services normalize again so that every caller
    // (and every spec) stores the same form.
    const displayName =
      typeof registration.displayName === 'string'
        ? normalizeName(registration.displayName)
        : undefined;
    return this.users.create({
      email: normalizeEmail(String(registration.email)),
      passwordHash,
      displayName: displayName === undefined || displayName === '' ? null : displayName,
    });
  }

  async profile(userId: string): Promise<UserRecord> {
    const user = await this.users.findById(userId);
    if (user === null) throw accountGone();
    return user;
  }
}
