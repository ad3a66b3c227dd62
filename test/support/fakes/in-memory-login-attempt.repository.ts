// LoginAttemptRepository in process memory, for service specs. Same contract as the MongoDB one
// (libs/database/test/login-attempt.repository.spec.ts): replace() is a compare-and-set against
// the record a caller read, so a stale writer loses; records are copies.
import { LoginAttemptRepository, type LoginAttemptRecord } from '@app/database';

const same = (a: LoginAttemptRecord, b: LoginAttemptRecord): boolean =>
  a.failures === b.failures && a.nextAttemptAt.getTime() === b.nextAttemptAt.getTime();

export class InMemoryLoginAttemptRepository extends LoginAttemptRepository {
  private readonly records = new Map<string, LoginAttemptRecord>();
  /** Test hook: every write that went through, in order. */
  readonly writes: { key: string; record: LoginAttemptRecord }[] = [];

  find(key: string): Promise<LoginAttemptRecord | null> {
    const found = this.records.get(String(key));
    return Promise.resolve(found === undefined ? null : { ...found });
  }

  replace(
    key: string,
    expected: LoginAttemptRecord | null,
    next: LoginAttemptRecord,
  ): Promise<boolean> {
    const current = this.records.get(String(key)) ?? null;
    const matches =
      expected === null ? current === null : current !== null && same(current, expected);
    if (!matches) return Promise.resolve(false);
    this.records.set(String(key), { ...next });
    this.writes.push({ key: String(key), record: { ...next } });
    return Promise.resolve(true);
  }

  clear(key: string): Promise<void> {
    this.records.delete(String(key));
    return Promise.resolve();
  }

  /** Test hook: the record of a key. */
  get(key: string): LoginAttemptRecord | undefined {
    const found = this.records.get(key);
    return found === undefined ? undefined : { ...found };
  }
}
