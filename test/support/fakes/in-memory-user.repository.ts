// UserRepository in process memory, for service specs. Same contract as the MongoDB one
// (libs/database/test/user.repository.spec.ts checks that one): a taken email is a CONFLICT,
// an unknown or malformed id is null, records are copies.
import { randomBytes } from 'node:crypto';
import { AppError } from '@app/common';
import { UserRepository, type NewUser, type UserRecord } from '@app/database';

export class InMemoryUserRepository extends UserRepository {
  private readonly byId = new Map<string, UserRecord>();

  create(user: NewUser): Promise<UserRecord> {
    const email = String(user.email);
    if ([...this.byId.values()].some((u) => u.email === email)) {
      return Promise.reject(new AppError('CONFLICT', 'An account with this email already exists'));
    }
    const record: UserRecord = {
      id: randomBytes(12).toString('hex'),
      email,
      passwordHash: String(user.passwordHash),
      displayName: user.displayName,
      createdAt: new Date(),
    };
    this.byId.set(record.id, record);
    return Promise.resolve({ ...record });
  }

  findByEmail(email: string): Promise<UserRecord | null> {
    const found = [...this.byId.values()].find((u) => u.email === String(email));
    return Promise.resolve(found === undefined ? null : { ...found });
  }

  findById(id: string): Promise<UserRecord | null> {
    const found = this.byId.get(String(id));
    return Promise.resolve(found === undefined ? null : { ...found });
  }

  /** Test hook: removes an account, as if it had been deleted meanwhile. */
  remove(id: string): void {
    this.byId.delete(id);
  }

  /** Test hook: every stored account. */
  all(): UserRecord[] {
    return [...this.byId.values()].map((u) => ({ ...u }));
  }
}
