import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Test, type TestingModule } from '@nestjs/testing';
import { ConfigModule, loadConfig } from '@app/config';
import {
  randomSuffix,
  startTestBackends,
  type TestBackends,
} from '../../../test/support/backends.js';
import { DatabaseModule } from '../src/database.module.js';
import { LoginAttemptDatabaseModule } from '../src/login-attempts/login-attempt-database.module.js';
import {
  LoginAttemptRepository,
  type LoginAttemptRecord,
} from '../src/login-attempts/login-attempt.repository.js';

const record = (failures: number, at = new Date()): LoginAttemptRecord => ({
  failures,
  nextAttemptAt: at,
  expiresAt: new Date(at.getTime() + 60_000),
});

describe('LoginAttemptRepository against MongoDB', () => {
  let backends: TestBackends;
  let moduleRef: TestingModule;
  let attempts: LoginAttemptRepository;

  before(async () => {
    backends = await startTestBackends();
    const config = loadConfig({
      NODE_ENV: 'test',
      MONGODB_URI: `${backends.mongoUri}/sx_attempts_${randomSuffix()}`,
      S3_ENDPOINT: backends.s3.endpoint,
      S3_ACCESS_KEY_ID: backends.s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: backends.s3.secretAccessKey,
    });
    moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot(), LoginAttemptDatabaseModule],
    }).compile();
    await moduleRef.init();
    attempts = moduleRef.get(LoginAttemptRepository);
  });
  after(async () => {
    await moduleRef.close();
    await backends.stop();
  });

  it('creates, reads back and clears a record', async () => {
    const key = `k-${randomSuffix()}`;
    assert.equal(await attempts.find(key), null);
    const first = record(1);
    assert.equal(await attempts.replace(key, null, first), true);
    assert.deepEqual(await attempts.find(key), first);
    await attempts.clear(key);
    assert.equal(await attempts.find(key), null);
    await attempts.clear(key); // clearing nothing is fine
  });

  it('lets exactly one of many concurrent writers of the same version through', async () => {
    const key = `race-${randomSuffix()}`;
    // Creation race: one insert wins, the duplicates lose. (Times in the future: a record that
    // expired in 1970 is fair game for the TTL sweep, which under load ran mid-test.)
    const now = Date.now();
    const created = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        attempts.replace(key, null, record(1, new Date(now + i))),
      ),
    );
    assert.equal(created.filter(Boolean).length, 1);
    const current = await attempts.find(key);
    assert.ok(current !== null);
    // Update race from the version everyone read: one wins.
    const updated = await Promise.all(
      Array.from({ length: 20 }, () => attempts.replace(key, current, record(2))),
    );
    assert.equal(updated.filter(Boolean).length, 1);
    assert.equal((await attempts.find(key))?.failures, 2);
    // A writer holding the old version loses, even with the same failure count elsewhere.
    assert.equal(await attempts.replace(key, current, record(3)), false);
  });

  it('counts every one of a burst of read-modify-write attempts exactly once', async () => {
    const key = `burst-${randomSuffix()}`;
    const once = async (): Promise<void> => {
      for (;;) {
        const stored = await attempts.find(key);
        if (await attempts.replace(key, stored, record((stored?.failures ?? 0) + 1))) return;
      }
    };
    await Promise.all(Array.from({ length: 15 }, once));
    assert.equal((await attempts.find(key))?.failures, 15);
  });

  it('treats a key as a plain string, never as a query', async () => {
    const key = { $ne: null } as unknown as string;
    assert.equal(await attempts.find(key), null);
    assert.equal(await attempts.replace(key, null, record(1)), true);
    assert.equal((await attempts.find('[object Object]'))?.failures, 1);
  });
});
